/**
 * Reorders MATLAB's column-major H x W x C x N pixels (index h + H*w + H*W*c + H*W*C*n) into
 * N x H x W x C, in place, one image at a time through a scratch copy.
 */
export function columnMajorToHwc(pixels: Uint8Array, height: number, width: number, channels: number): Uint8Array {
  const size = height * width * channels;
  const scratch = new Uint8Array(size);
  for (let base = 0; base + size <= pixels.length; base += size) {
    scratch.set(pixels.subarray(base, base + size));
    let from = 0;
    for (let c = 0; c < channels; c++) {
      for (let w = 0; w < width; w++) {
        let to = base + w * channels + c;
        for (let h = 0; h < height; h++, from++, to += width * channels) pixels[to] = scratch[from];
      }
    }
  }
  return pixels;
}
