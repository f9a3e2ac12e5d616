import * as tf from '@tensorflow/tfjs-core';
import { meanOver, weightCriterion } from './criterion.js';

/**
 * L1 norm of each output channel's filter (Li et al. 2017, "Pruning Filters for Efficient ConvNets"),
 * averaged over the producers of a coupled group.
 */
export const l1Norm = weightCriterion('l1', 'L1 norm of filters', (group, { model }) =>
  meanOver(
    group.channels,
    group.producers.map((name) => {
      const kernel = model.getLayer(name).getWeights()[0];
      return tf.tidy(() => tf.sum(tf.abs(kernel), [...Array(kernel.rank - 1).keys()]).dataSync() as Float32Array);
    }),
  ),
);
