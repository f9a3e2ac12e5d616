import type { ImageDataset } from './image-dataset.js';
import { resizeImage } from './image-resize.js';

/** ITU-R BT.601 luma weights, as tf.image.rgbToGrayscale uses. */
const LUMA = [0.2989, 0.587, 0.114];

/**
 * The data set's images at another size and channel count (1 <-> 3): resized as the image folder reader
 * resizes (area when shrinking, bilinear when enlarging), colour to gray by luma, gray to colour by copying.
 */
export function fitImages(dataset: ImageDataset, target: { height: number; width: number; channels: number }): ImageDataset {
  const { height, width, channels } = target;
  if (dataset.height === height && dataset.width === width && dataset.channels === channels) return dataset;
  if (channels !== dataset.channels && !((channels === 1 && dataset.channels === 3) || (channels === 3 && dataset.channels === 1))) {
    throw new RangeError(`Cannot convert ${dataset.channels}-channel images to ${channels} channels`);
  }
  // Streamed images are decoded straight to the new shape from their files (one resize, not two).
  if (dataset.stream) return { ...dataset, height, width, channels, stream: dataset.stream.reshaped(target) };
  const inSize = dataset.height * dataset.width * dataset.channels;
  const outSize = height * width * channels;
  const images = new Uint8Array(dataset.count * outSize);
  for (let i = 0; i < dataset.count; i++) {
    const source = dataset.images.subarray(i * inSize, (i + 1) * inSize);
    const resized = resizeImage(source, dataset.height, dataset.width, dataset.channels, height, width);
    images.set(convertChannels(resized, dataset.channels, channels), i * outSize);
  }
  return { ...dataset, images, height, width, channels };
}

/** Pixels with `from` channels as `to` channels: colour to grey by luma, grey to colour by copying. */
export function convertChannels(pixels: Uint8Array, from: number, to: number): Uint8Array {
  if (from === to) return pixels;
  const count = pixels.length / from;
  const out = new Uint8Array(count * to);
  if (to === 1) {
    for (let p = 0; p < count; p++) out[p] = Math.round(LUMA[0] * pixels[p * 3] + LUMA[1] * pixels[p * 3 + 1] + LUMA[2] * pixels[p * 3 + 2]);
  } else {
    for (let p = 0; p < count; p++) out.fill(pixels[p], p * 3, p * 3 + 3);
  }
  return out;
}
