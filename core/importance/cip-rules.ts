import type * as tfl from '@tensorflow/tfjs-layers';
import { layerKind } from '../graph/layer-kinds.js';
import { depthwiseMessage } from './cip-contribution.js';
import { batchNormFold } from './cip-local-score.js';
import type { CipSettings } from './cip-settings.js';
import { channelsOf, followingBatchNorm, tensorKey, type Topology } from './cip-topology.js';

/** mu per channel of a tensor (section 1). */
export type ChannelStatistic = (t: tfl.SymbolicTensor) => Float32Array;

/** What a layer without weights of its own receives from its output: relevance, per channel. */
export interface BackwardStep {
  layer: tfl.layers.Layer;
  inputs: tfl.SymbolicTensor[];
  relevance: Float32Array;
  topology: Topology;
  mu: ChannelStatistic;
  settings: CipSettings;
}

/**
 * Section 3's table for every layer kind but producers (the walk scores those): one message per input,
 * or why CIP has no rule for the layer.
 */
export function backwardRule(step: BackwardStep): Float32Array[] | string {
  const { layer, inputs, relevance, topology } = step;
  const kind = layerKind(layer);
  if (typeof kind === 'object') return kind.unsupported;
  const flattened = inputs.some((t) => (topology.spatial.get(tensorKey(t)) ?? 1) > 1);
  switch (kind) {
    case 'passthrough': // ReLU-like, dropout, pooling, global pooling: identity on channel importance
    case 'flatten': // each channel keeps its relevance; the dense layer sums its positions
      return [relevance];
    case 'channelwise':
      if (flattened) return 'per-position weights after a flatten';
      if (layer.getClassName() !== 'DepthwiseConv2D') return [relevance]; // BN: folded into s and kappa
      return [depthwiseMessage(layer, foldAfter(topology, layer), step.mu(inputs[0]), relevance, step.settings)];
    case 'merge':
      return ['Add', 'Average'].includes(layer.getClassName())
        ? splitByContribution(step)
        : `no CIP rule for ${layer.getClassName()} (the residual split covers Add and Average)`;
    case 'concat':
      return flattened ? 'a concatenation of flattened maps' : sliceByRange(step);
    case 'indexmap':
      return [throughIndexMap(step)];
    case 'grouped':
    case 'producer':
      throw new Error(`backwardRule: '${layer.name}' is a writer; the walk scores writers itself`);
  }
}

export function foldAfter(topology: Topology, layer: tfl.layers.Layer): Float32Array | undefined {
  const norm = followingBatchNorm(topology, layer);
  return norm ? batchNormFold(norm) : undefined;
}

/** Residual add: r^i_c = r^y_c * mu^i_c / sum_j mu^j_c, mu measured before the add; equal shares if all are 0. */
function splitByContribution({ inputs, relevance, mu }: BackwardStep): Float32Array[] {
  const stats = inputs.map((t) => mu(t));
  return stats.map((own) =>
    relevance.map((r, c) => {
      const total = stats.reduce((s, m) => s + m[c], 0);
      return r * (total > 0 ? own[c] / total : 1 / stats.length);
    }),
  );
}

/** Concatenation: each input gets its own channel range of the message. */
function sliceByRange({ inputs, relevance, topology }: BackwardStep): Float32Array[] {
  let offset = 0;
  return inputs.map((t) => {
    const channels = channelsOf(topology, t);
    offset += channels;
    return relevance.slice(offset - channels, offset);
  });
}

/** Option-A shortcut: output channel o copies input channel source[o] (or zeros, which carry nothing). */
function throughIndexMap({ layer, inputs, relevance, topology }: BackwardStep): Float32Array {
  const inChannels = channelsOf(topology, inputs[0]);
  const mapped = (layer as unknown as { sourceChannels?: number[] }).sourceChannels;
  const message = new Float32Array(inChannels);
  relevance.forEach((r, o) => {
    const source = mapped ? mapped[o] : o < inChannels ? o : -1;
    if (source >= 0) message[source] += r;
  });
  return message;
}
