import * as tf from '@tensorflow/tfjs-core';
import type { ImportanceCriterion } from './criterion.js';

/**
 * L1 norm of each output channel's filter (Li et al. 2017, "Pruning Filters for Efficient ConvNets"),
 * averaged over the producers of a coupled group.
 */
export const l1Norm: ImportanceCriterion = {
  id: 'l1',
  label: 'L1 norm of filters',
  score(group, { model }) {
    const total = new Float32Array(group.channels);
    for (const name of group.producers) {
      const kernel = model.getLayer(name).getWeights()[0];
      const norms = tf.tidy(() => tf.sum(tf.abs(kernel), [...Array(kernel.rank - 1).keys()]).dataSync());
      for (let c = 0; c < group.channels; c++) total[c] += norms[c] / group.producers.length;
    }
    return total;
  },
};
