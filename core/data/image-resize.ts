/**
 * Resizes channels-last uint8 pixels. Separable: each axis averages the source pixels an output
 * pixel covers when shrinking (area), or interpolates the two nearest when enlarging (bilinear,
 * pixel centres aligned as in tf.image.resizeBilinear with halfPixelCenters).
 */
export function resizeImage(source: Uint8Array, height: number, width: number, channels: number, outHeight: number, outWidth: number): Uint8Array {
  if (height === outHeight && width === outWidth) return source;
  const across = axisWeights(width, outWidth);
  const down = axisWeights(height, outHeight);
  // Rows first, into floats, then columns.
  const rows = new Float32Array(height * outWidth * channels);
  for (let y = 0; y < height; y++) {
    const inRow = y * width * channels;
    for (let x = 0; x < outWidth; x++) {
      const to = (y * outWidth + x) * channels;
      for (let t = across.offsets[x]; t < across.offsets[x + 1]; t++) {
        const from = inRow + across.index[t] * channels;
        const weight = across.weight[t];
        for (let c = 0; c < channels; c++) rows[to + c] += source[from + c] * weight;
      }
    }
  }
  const out = new Uint8Array(outHeight * outWidth * channels);
  const rowLength = outWidth * channels;
  const sum = new Float32Array(rowLength);
  for (let y = 0; y < outHeight; y++) {
    sum.fill(0);
    for (let t = down.offsets[y]; t < down.offsets[y + 1]; t++) {
      const from = down.index[t] * rowLength;
      const weight = down.weight[t];
      for (let i = 0; i < rowLength; i++) sum[i] += rows[from + i] * weight;
    }
    // A Uint8Array would wrap and truncate, so round and clamp.
    for (let i = 0; i < rowLength; i++) out[y * rowLength + i] = Math.min(255, Math.max(0, Math.round(sum[i])));
  }
  return out;
}

/** For each output position, the source positions it draws on and their weights (CSR layout). */
interface AxisWeights {
  offsets: Int32Array;
  index: Int32Array;
  weight: Float32Array;
}

function axisWeights(size: number, outSize: number): AxisWeights {
  const scale = size / outSize;
  const taps: Array<[number, number]> = [];
  const offsets = new Int32Array(outSize + 1);
  for (let o = 0; o < outSize; o++) {
    if (scale > 1) {
      const start = o * scale;
      const end = start + scale;
      for (let i = Math.floor(start); i < Math.min(Math.ceil(end), size); i++) {
        taps.push([i, (Math.min(end, i + 1) - Math.max(start, i)) / scale]);
      }
    } else {
      const centre = Math.max(0, (o + 0.5) * scale - 0.5);
      const low = Math.min(Math.floor(centre), size - 1);
      const high = Math.min(low + 1, size - 1);
      const fraction = centre - low;
      taps.push([low, 1 - fraction]);
      if (fraction > 0) taps.push([high, fraction]);
    }
    offsets[o + 1] = taps.length;
  }
  return { offsets, index: Int32Array.from(taps, (t) => t[0]), weight: Float32Array.from(taps, (t) => t[1]) };
}
