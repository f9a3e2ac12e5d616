import * as tf from '@tensorflow/tfjs-core';
import { meanOver, weightCriterion } from './criterion.js';
import { filterMatrix } from './filters.js';

/**
 * Filter pruning via geometric median (He et al., CVPR 2019): a filter close to the others is
 * replaceable by them, so a channel's score is the sum of Euclidean distances from its filter to every
 * other filter of the layer (the filters nearest the geometric median score lowest). Averaged over a
 * group's producers, each measured within its own layer.
 */
export const fpgm = weightCriterion('fpgm', 'Geometric median distance (FPGM)', (group, { model }) =>
  meanOver(
    group.channels,
    group.producers.map((name) =>
      tf.tidy(() => {
        const filters = filterMatrix(model.getLayer(name));
        // |fi - fj|^2 = |fi|^2 + |fj|^2 - 2 fi.fj from one Gram matrix; rounding can leave tiny negatives.
        const gram = tf.matMul(filters, filters, true, false);
        const squared = tf.sum(tf.square(filters), 0);
        const distances = tf.sub(tf.add(tf.expandDims(squared, 1), tf.expandDims(squared, 0)), tf.mul(gram, 2));
        return tf.sum(tf.sqrt(tf.relu(distances)), 1).dataSync() as Float32Array;
      }),
    ),
  ),
);
