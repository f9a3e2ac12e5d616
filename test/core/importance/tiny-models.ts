import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '../../../core/data/batches.js';

/**
 * image [3, 3, 2] -> conv 'a' (3 filters 1x1) -> batch norm 'bn' -> ReLU -> conv 'b' (2 filters 1x1) -> GAP -> 'fc'.
 * Filters of 'a' (one column each): (3, 4), (0, 1), (-3, -4); of 'b': (1, 0, -1), (-2, 3, 1). gamma = (0.5, -2, 1).
 */
export function weightModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [3, 3, 2], name: 'image' });
  const a = tfl.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false, name: 'a' }).apply(input) as tfl.SymbolicTensor;
  const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(a) as tfl.SymbolicTensor;
  const relu = tfl.layers.reLU({ name: 'relu' }).apply(bn) as tfl.SymbolicTensor;
  const b = tfl.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, name: 'b' }).apply(relu) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(b) as tfl.SymbolicTensor;
  const fc = tfl.layers.dense({ units: 2, name: 'fc' }).apply(gap) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: fc });
  setWeights(model, 'a', [tf.tensor4d([3, 0, -3, 4, 1, -4], [1, 1, 2, 3])]);
  setWeights(model, 'b', [tf.tensor4d([1, -2, 0, 3, -1, 1], [1, 1, 3, 2])]);
  const bnWeights = model
    .getLayer('bn')
    .getWeights()
    .map((w) => w.clone());
  setWeights(model, 'bn', [tf.tensor1d([0.5, -2, 1]), ...bnWeights.slice(1)]);
  return model;
}

/**
 * image [2, 2, 1] -> conv 'a' (2 filters 1x1, weights 1 and -1) -> ReLU -> GAP -> 'fc' (kernel W, no bias):
 * channel 0 is relu(x), channel 1 is relu(-x).
 */
export const FC_KERNEL = [
  [1, -1],
  [0.5, 2],
];

export function activationModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [2, 2, 1], name: 'image' });
  const a = tfl.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, name: 'a' }).apply(input) as tfl.SymbolicTensor;
  const relu = tfl.layers.reLU({ name: 'relu' }).apply(a) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(relu) as tfl.SymbolicTensor;
  const fc = tfl.layers.dense({ units: 2, name: 'fc', useBias: false }).apply(gap) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: fc });
  setWeights(model, 'a', [tf.tensor4d([1, -1], [1, 1, 1, 2])]);
  setWeights(model, 'fc', [tf.tensor2d(FC_KERNEL)]);
  return model;
}

/** Two images, [[1, -2], [3, 0]] of class 0 and [[1, 0], [0, 2]] of class 1. */
export const IMAGES = [
  [1, -2, 3, 0],
  [1, 0, 0, 2],
];

export function batchOf(images: number[][], labels: number[], shape: [number, number, number]): Batch {
  return {
    x: tf.tensor4d(images.flat(), [images.length, ...shape]),
    y: tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 2), 'float32') as tf.Tensor2D),
    size: images.length,
  };
}

export function disposeBatches(batches: Batch[]): void {
  for (const b of batches) tf.dispose([b.x, b.y]);
}

export function setWeights(model: tfl.LayersModel, name: string, weights: tf.Tensor[]): void {
  model.getLayer(name).setWeights(weights);
  tf.dispose(weights);
}
