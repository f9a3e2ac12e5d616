import * as tf from '@tensorflow/tfjs-core';
import { activationCriterion, readChannels } from './feature-maps.js';

/**
 * Average percentage of zeros (Hu et al. 2016, "Network Trimming"): a channel whose ReLU output is
 * mostly zero contributes little. The score is 1 - APoZ, the share of positive outputs, so higher means
 * more important. Non-positive outputs count as zeros, which is the same after a ReLU and the "off"
 * state after a leaky ReLU or ELU; after a linear layer (a MobileNetV2 bottleneck) it means little.
 */
export const apoz = activationCriterion('apoz', 'Share of non-zero activations (1 - APoZ)', (maps) =>
  readChannels(tf.tidy(() => tf.sum(tf.mean(tf.cast(tf.greater(maps, 0), 'float32'), [1, 2]), 0))),
);
