import { weightCriterion } from './criterion.js';
import { groupMagnitude } from './group-magnitude.js';

/**
 * L1 magnitude of the whole coupled group (Torch-Pruning's MagnitudeImportance, p = 1): the mean over the
 * producers' filters, the batch norms' scales and the consumers' input weights of each channel's sum |w|.
 * 'l1' (Li et al. 2017) looks at the producers' filters alone.
 */
export const groupL1 = weightCriterion(
  'group-l1',
  'L1 norm of the whole group (filters, batch-norm scales, next layers\u2019 inputs)',
  (group, { model, graph }) => groupMagnitude(group, model, graph, 1),
);
