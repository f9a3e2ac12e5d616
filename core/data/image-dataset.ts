import type { ImageStream } from './streaming/image-stream.js';

/**
 * Images stay uint8 in memory (N x H x W x C, channels last) and become float only batch by batch.
 * Labels are class indices. A data set larger than the memory budget streams its images from disk
 * (`stream`); its `images` are then empty and batches come from `readBatch` (core/data/streaming/read-batch.ts).
 */
export interface ImageDataset {
  name: string;
  images: Uint8Array;
  /** Present when the images are read from their files as needed rather than held (see above). */
  stream?: ImageStream;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
}

export interface TrainTestSplit {
  train: ImageDataset;
  test: ImageDataset;
}

/**
 * How pixels become model inputs: (p / 255 - mean[c] - meanImage[i]) / std[c], per channel of the model's input
 * (a model's input contract, core/models/input-contract.ts, comes down to this).
 */
export interface Normalisation {
  mean: number[];
  std: number[];
  /** Model channel c reads image channel channelOrder[c] (BGR models: [2, 1, 0]); absent: the same order. */
  channelOrder?: number[];
  /** Per pixel (H x W x C, model's channel order), on pixel / 255. */
  meanImage?: Float32Array;
}

/** Per-channel mean and standard deviation of the pixel values scaled to 0..1. */
export function channelStatistics(dataset: ImageDataset): Normalisation {
  if (dataset.stream) throw new StreamedDataError(`${dataset.name}: channel statistics of a streamed data set are taken on a sample held in memory`);
  const { images, channels } = dataset;
  const sum = new Float64Array(channels);
  const sumSquares = new Float64Array(channels);
  for (let i = 0; i < images.length; i++) {
    const value = images[i] / 255;
    sum[i % channels] += value;
    sumSquares[i % channels] += value * value;
  }
  const perChannel = images.length / channels;
  const mean = Array.from(sum, (s) => s / perChannel);
  const std = Array.from(sumSquares, (s, c) => Math.sqrt(Math.max(s / perChannel - mean[c] ** 2, 1e-12)));
  return { mean, std };
}

/** Code that needs every pixel in memory was handed a data set that streams from disk (a bug of the caller: read it through readBatch). */
export class StreamedDataError extends Error {
  override name = 'StreamedDataError';
}
