import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type ChannelGraph, type ChannelGroup, perChannel } from '../graph/channel-graph.js';
import { meanOver, weightCriterion } from './criterion.js';
import { filterMatrix } from './filters.js';

/**
 * Network slimming (Liu et al., ICCV 2017): a channel is as important as the scale |gamma| of the batch
 * norm that follows it; the mean over a group's batch norms (a coupled residual stream has several).
 * The paper trains with an L1 penalty on gamma first; without it this is slimming's ranking alone.
 *
 * A group no batch norm (with a scale) follows falls back to the L1 norm of its producers' filters
 * (Li et al. 2017), as the label says. The pruner divides each group's scores by their mean before
 * ranking globally, so fallback groups still compare with the rest.
 */
export const bnScale = weightCriterion(
  'bn-scale',
  'Batch-norm scale |γ| (network slimming; L1 norm where no batch norm follows)',
  (group, { model, graph }) => {
    const gammas = scaledBatchNorms(group, model).flatMap((layer) => gammaSlices(layer, group, graph));
    if (gammas.length > 0) return meanOver(group.channels, gammas);
    return meanOver(
      group.channels,
      group.producers.map((name) => tf.tidy(() => tf.sum(tf.abs(filterMatrix(model.getLayer(name))), 0).dataSync() as Float32Array)),
    );
  },
);

function scaledBatchNorms(group: ChannelGroup, model: tfl.LayersModel): tfl.layers.Layer[] {
  return group.followers
    .map((name) => model.getLayer(name))
    .filter((layer) => layer.getClassName() === 'BatchNormalization' && layer.getConfig().scale !== false);
}

/** |gamma| on the group's channels: a batch norm after a concatenation holds several groups. */
function gammaSlices(layer: tfl.layers.Layer, group: ChannelGroup, graph: ChannelGraph): Float32Array[] {
  const gamma = layer.getWeights()[0].dataSync() as Float32Array;
  const ports = graph.layers.find((l) => l.name === layer.name)!;
  const slices: Float32Array[] = [];
  let offset = 0;
  for (const segment of ports.inputs) {
    // After a depthwise conv with a channel multiplier a channel fills several positions: the mean of their |gamma|.
    if (segment.group === group.id) slices.push(perChannel(gamma.map(Math.abs), offset, segment, 'mean'));
    offset += segment.channels;
  }
  return slices;
}
