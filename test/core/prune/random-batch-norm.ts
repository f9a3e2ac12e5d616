import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Randomises batch-norm statistics and affine parameters, so a test exercises every slice. */
export function randomiseBatchNorm(model: tfl.LayersModel, seed = 3): void {
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const n = layer.getWeights()[0].shape[0];
    const values = [
      tf.randomUniform([n], 0.5, 1.5, 'float32', seed),
      tf.randomUniform([n], -0.3, 0.3, 'float32', seed + 1),
      tf.randomUniform([n], -0.2, 0.2, 'float32', seed + 2),
      tf.randomUniform([n], 0.5, 2, 'float32', seed + 3),
    ];
    layer.setWeights(values);
    tf.dispose(values);
  }
}
