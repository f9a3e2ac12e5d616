import * as tf from '@tensorflow/tfjs-core';
import { meanOver, weightCriterion } from './criterion.js';
import { filterMatrix } from './filters.js';

/**
 * L2 norm of each output channel's filter, the variant of Li et al. 2017 ("Pruning Filters for
 * Efficient ConvNets") that soft filter pruning (He et al. 2018) uses; averaged over a group's producers.
 */
export const l2Norm = weightCriterion('l2', 'L2 norm of filters', (group, { model }) =>
  meanOver(
    group.channels,
    group.producers.map((name) => tf.tidy(() => tf.norm(filterMatrix(model.getLayer(name)), 'euclidean', 0).dataSync() as Float32Array)),
  ),
);
