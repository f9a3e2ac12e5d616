import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset, Normalisation } from './image-dataset.js';

export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  size: number;
}

/** Turns the images at `indices` into a normalised float batch with one-hot labels. */
export function makeBatch(dataset: ImageDataset, indices: ArrayLike<number>, norm: Normalisation): Batch {
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
    for (let p = 0; p < pixels; p++) {
      const c = p % channels;
      values[target + p] = dataset.images[source + p] * scale[c] - shift[c];
    }
    labels[b] = dataset.labels[indices[b]];
  }
  const x = tf.tensor4d(values, [size, height, width, channels]);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), dataset.classNames.length), 'float32') as tf.Tensor2D);
  return { x, y, size };
}

/** Consecutive index ranges of `order`, `batchSize` at a time (the last may be smaller). */
export function* batchIndices(order: Int32Array, batchSize: number): Generator<Int32Array> {
  for (let start = 0; start < order.length; start += batchSize) {
    yield order.subarray(start, Math.min(start + batchSize, order.length));
  }
}
