import * as tf from '@tensorflow/tfjs-core';
import { meanOver, weightCriterion } from './criterion.js';
import { filterMatrix } from './filters.js';

/**
 * L1 norm of each output channel's filter (Li et al. 2017, "Pruning Filters for Efficient ConvNets"),
 * averaged over the producers of a coupled group.
 */
export const l1Norm = weightCriterion('l1', 'L1 norm of filters', (group, { model }) =>
  meanOver(
    group.channels,
    group.producers.map((name) => tf.tidy(() => tf.sum(tf.abs(filterMatrix(model.getLayer(name))), 0).dataSync() as Float32Array)),
  ),
);
