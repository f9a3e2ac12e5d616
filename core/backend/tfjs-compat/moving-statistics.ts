import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * The model's non-trainable weights (batch norm's moving statistics) as they are before a training step.
 * tfjs-layers updates them during the forward pass, layer by layer: a step that runs out of memory halfway
 * has already moved those of the layers before, and its retry would count that batch twice. `restore`
 * puts them back; `dispose` frees the copies (after every step, whether it failed or not).
 */
export function saveMovingStatistics(model: tfl.LayersModel): { restore(): void; dispose(): void } {
  const weights = model.nonTrainableWeights;
  const copies = weights.map((w) => tf.clone(w.read()));
  return {
    restore: () => weights.forEach((w, i) => w.write(copies[i])),
    dispose: () => tf.dispose(copies),
  };
}
