import * as tf from '@tensorflow/tfjs-core';
import type { AugmentDraw } from './augmentation.js';
import { type ImageDataset, type Normalisation, StreamedDataError } from './image-dataset.js';

export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  size: number;
}

/**
 * Turns the images at `indices` into a normalised float batch with one-hot labels. With `draws`, image
 * b is shifted by (dy, dx), zero-padded where the window leaves the image, and mirrored if asked.
 */
export function makeBatch(dataset: ImageDataset, indices: ArrayLike<number>, norm: Normalisation, draws?: AugmentDraw[]): Batch {
  if (dataset.stream) throw new StreamedDataError(`${dataset.name} streams from disk: its batches come from readBatch`);
  const { height, width, channels } = dataset;
  const pixels = height * width * channels;
  const size = indices.length;
  const values = new Float32Array(size * pixels);
  const scale = norm.std.map((s) => 1 / (255 * s));
  const shift = norm.mean.map((m, c) => m / norm.std[c]);
  const labels = new Int32Array(size);
  for (let b = 0; b < size; b++) {
    const source = indices[b] * pixels;
    const target = b * pixels;
    const draw = draws?.[b];
    if (norm.channelOrder || norm.meanImage) {
      copyGeneral(dataset, source, values, target, draw ?? { dx: 0, dy: 0, flip: false }, norm, scale, shift);
    } else if (!draw || (draw.dx === 0 && draw.dy === 0 && !draw.flip)) {
      for (let p = 0; p < pixels; p++) {
        const c = p % channels;
        values[target + p] = dataset.images[source + p] * scale[c] - shift[c];
      }
    } else {
      copyAugmented(dataset, source, values, target, draw, scale, shift);
    }
    labels[b] = dataset.labels[indices[b]];
  }
  // One tidy: if the device has no room for the labels, the images are released too.
  const { x, y } = tf.tidy(() => ({
    x: tf.tensor4d(values, [size, height, width, channels]),
    y: tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), dataset.classNames.length), 'float32') as tf.Tensor2D,
  }));
  return { x, y, size };
}

/** Output pixel (y, x) reads input (y + dy, x' + dx), x' mirrored when flipping; outside is padding (0). */
function copyAugmented(
  dataset: ImageDataset,
  source: number,
  values: Float32Array,
  target: number,
  { dy, dx, flip }: AugmentDraw,
  scale: number[],
  shift: number[],
): void {
  const { height, width, channels, images } = dataset;
  for (let y = 0; y < height; y++) {
    const sy = y + dy;
    for (let x = 0; x < width; x++) {
      const sx = (flip ? width - 1 - x : x) + dx;
      const out = target + (y * width + x) * channels;
      const inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
      const from = source + (sy * width + sx) * channels;
      for (let c = 0; c < channels; c++) {
        // Padding is a zero pixel before normalisation, like torchvision's RandomCrop(padding=4).
        values[out + c] = (inside ? images[from + c] : 0) * scale[c] - shift[c];
      }
    }
  }
}

/** copyAugmented with the model's channel order and a per-pixel mean image (both rare: kept off the fast paths). */
function copyGeneral(
  dataset: ImageDataset,
  source: number,
  values: Float32Array,
  target: number,
  { dy, dx, flip }: AugmentDraw,
  norm: Normalisation,
  scale: number[],
  shift: number[],
): void {
  const { height, width, channels, images } = dataset;
  const order = norm.channelOrder;
  const meanImage = norm.meanImage;
  for (let y = 0; y < height; y++) {
    const sy = y + dy;
    for (let x = 0; x < width; x++) {
      const sx = (flip ? width - 1 - x : x) + dx;
      const out = (y * width + x) * channels;
      const inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
      const from = source + (sy * width + sx) * channels;
      for (let c = 0; c < channels; c++) {
        const pixel = inside ? images[from + (order ? order[c] : c)] : 0;
        values[target + out + c] = pixel * scale[c] - shift[c] - (meanImage ? meanImage[out + c] / norm.std[c] : 0);
      }
    }
  }
}

/** Consecutive index ranges of `order`, `batchSize` at a time (the last may be smaller). */
export function* batchIndices(order: Int32Array, batchSize: number): Generator<Int32Array> {
  for (let start = 0; start < order.length; start += batchSize) {
    yield order.subarray(start, Math.min(start + batchSize, order.length));
  }
}
