import * as tf from '@tensorflow/tfjs-core';
import { activationCriterion, readChannels } from './feature-maps.js';

/**
 * Mean absolute activation of each channel's feature map over the calibration images: the
 * mean-activation baseline of Molchanov et al. (ICLR 2017) and the feature-map statistic of CIP.
 */
export const activationMean = activationCriterion('activation-mean', 'Mean activation', (maps) =>
  readChannels(tf.tidy(() => tf.sum(tf.mean(tf.abs(maps), [1, 2]), 0))),
);
