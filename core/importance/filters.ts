import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * The weights that make a producer's output channels as a [fan-in, channels] matrix: column c is
 * channel c's filter. SeparableConv2D makes its channels in the pointwise kernel (its second weight);
 * conv and dense layers in their first. The caller disposes the result.
 */
export function filterMatrix(layer: tfl.layers.Layer): tf.Tensor2D {
  const kernel = layer.getWeights()[layer.getClassName() === 'SeparableConv2D' ? 1 : 0];
  return tf.reshape(kernel, [-1, kernel.shape[kernel.rank - 1]]);
}
