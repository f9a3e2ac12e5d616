import { weightCriterion } from './criterion.js';
import { groupMagnitude } from './group-magnitude.js';

/**
 * LAMP (Lee et al., ICLR 2021, "Layer-adaptive sparsity for the magnitude-based pruning"), per channel as
 * Torch-Pruning's LAMPImportance: a channel's squared L2 magnitude over its whole group (the mean of
 * sum w^2 over producers' filters, batch-norm scales and consumers' input weights), which the ranking
 * divides by the sum of its own and every larger score of the group ('lamp' normalisation, this
 * criterion's own). Each group's best channel scores 1, so one global threshold sets every layer's
 * share without a hand-made floor.
 */
export const lamp = {
  ...weightCriterion('lamp', 'LAMP (layer-adaptive magnitude, squared L2 of the whole group)', (group, { model, graph }) =>
    groupMagnitude(group, model, graph, 2),
  ),
  normalisation: 'lamp' as const,
};
