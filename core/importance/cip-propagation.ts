import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelGraph, ChannelGroup } from '../graph/channel-graph.js';
import { layerKind } from '../graph/layer-kinds.js';
import { consumerMessage, kernelMagnitude } from './cip-contribution.js';
import { groupMagnitude } from './group-magnitude.js';
import { batchNormFold, blend, byMean, filterNorms, localScore, meanAndStd } from './cip-local-score.js';
import { backwardRule, foldAfter, type ChannelStatistic } from './cip-rules.js';
import type { CipSettings } from './cip-settings.js';
import {
  channelsOf,
  followingBatchNorm,
  headProducers,
  inputsOf,
  isModelInput,
  isWriter,
  outputsOf,
  postActivation,
  tensorKey,
  type Topology,
} from './cip-topology.js';

/** One writer (producer) of a group: its local score a, its propagated share r and its importance I. */
export interface WriterScore {
  a: Float32Array;
  r: Float32Array;
  importance: Float32Array;
  /** Its relevance was cut by a layer CIP has no rule for: I = a / mean(a). */
  local: boolean;
}

export interface CipAnalysis {
  /** I^g per prunable group: the mean over its writers (section 3, coupled group). */
  scores: Map<number, Float32Array>;
  writers: Map<string, WriterScore>;
  /** Relevance that reached each layer's output, by layer name. */
  relevance: Map<string, Float32Array>;
  /** Relevance each input of a residual add received, by add layer. */
  splits: Map<string, Float32Array[]>;
  /** Where propagation fell back to the local score, in plain words. */
  warnings: string[];
  /** The mu the walk read (measured, or 1 everywhere), for views that redo a step of it (the importance flow). */
  statistic: ChannelStatistic;
}

/**
 * Section 3: relevance flows backward from the classifier (I_k = 1/K) through the layers in reverse
 * topological order, so every reader of a tensor has sent its message before the tensor's writer is
 * scored. Each writer blends its local score with what reached it and sends I down through |W|.
 */
export function propagateImportance(model: tfl.LayersModel, graph: ChannelGraph, topology: Topology, mu: ChannelStatistic, settings: CipSettings): CipAnalysis {
  const relevance = new Map<string, Float32Array>();
  const cutBy = new Map<string, string>();
  const result: CipAnalysis = { scores: new Map(), writers: new Map(), relevance: new Map(), splits: new Map(), warnings: [], statistic: mu };
  const deposit = (t: tfl.SymbolicTensor, message: Float32Array) => {
    const held = relevance.get(tensorKey(t));
    if (held) held.forEach((_, c) => (held[c] += message[c]));
    else relevance.set(tensorKey(t), Float32Array.from(message));
  };
  for (const output of model.outputs) deposit(output, new Float32Array(channelsOf(topology, output)).fill(1 / channelsOf(topology, output)));
  const heads = headProducers(model);
  const groupL1 = groupL1Of(model, graph);
  const kernelTerm = writerKernel(graph, topology, settings, groupL1);

  for (const layer of [...topology.layers].reverse()) {
    const inputs = inputsOf(layer);
    const outputs = outputsOf(layer);
    const arriving = relevance.get(tensorKey(outputs[0])) ?? new Float32Array(channelsOf(topology, outputs[0]));
    const cut = outputs.map((t) => cutBy.get(tensorKey(t))).find((why) => why !== undefined);
    result.relevance.set(layer.name, arriving);
    if (outputs.length === 1 && isWriter(layer)) {
      const importance = scoreWriter(layer, arriving, cut, heads.has(layer.name));
      const input = inputs[0];
      if (!isModelInput(input))
        deposit(input, consumerMessage(kernelMagnitude(layer, channelsOf(topology, input)), foldAfter(topology, layer), mu(input), importance, settings));
      continue;
    }
    const messages = outputs.length === 1 ? backwardRule({ layer, inputs, relevance: arriving, topology, mu, settings }) : 'a layer with several outputs';
    if (typeof messages === 'string') {
      for (const t of inputs) if (!cutBy.has(tensorKey(t))) cutBy.set(tensorKey(t), `'${layer.name}' (${layer.getClassName()}: ${messages})`);
      continue;
    }
    if (layerKind(layer) === 'merge') result.splits.set(layer.name, messages);
    inputs.forEach((t, i) => {
      deposit(t, messages[i]);
      if (cut !== undefined && !cutBy.has(tensorKey(t))) cutBy.set(tensorKey(t), cut);
    });
  }
  for (const group of graph.groups.filter((g) => g.prunable)) {
    const writers = group.producers.map((name) => result.writers.get(name)!.importance);
    if (writers.length === 0) result.warnings.push(`Group ${group.id} has no writer with weights; its channels score 1.`);
    const combined = writers.length ? meanOf(group.channels, writers) : new Float32Array(group.channels).fill(1);
    const score = settings.writerSpread && writers.length > 1 ? withSpread(combined, writers) : combined;
    result.scores.set(group.id, settings.kernelWidths ? inOrderOf(score, groupL1(group)) : score);
  }
  return result;

  function scoreWriter(layer: tfl.layers.Layer, r: Float32Array, cut: string | undefined, head: boolean): Float32Array {
    if (head) {
      result.writers.set(layer.name, { a: r, r, importance: r, local: false });
      return r;
    }
    const a = localScore(mu(postActivation(topology, layer)), kernelTerm(layer), settings);
    if (cut !== undefined) result.warnings.push(`Relevance from '${layer.name}' stops at ${cut}; '${layer.name}' keeps its local score.`);
    const importance = cut !== undefined ? byMean(a) : blend(a, r, settings.alpha);
    result.writers.set(layer.name, { a, r, importance, local: cut !== undefined });
    return importance;
  }
}

/**
 * kappa of a writer (section 2): its batch norm's fold, or its filters' norms without one; with `groupKernel`, the
 * L1 magnitude of the whole group it writes (group-l1's score), which sees the consumers' weights too.
 */
function writerKernel(graph: ChannelGraph, topology: Topology, settings: CipSettings, groupL1: (group: ChannelGroup) => Float32Array) {
  return (layer: tfl.layers.Layer): Float32Array => {
    const group = settings.groupKernel ? graph.groups.find((g) => g.producers.includes(layer.name)) : undefined;
    // A writer that fills only part of its group (a concatenation's slice) keeps its own kernel term.
    if (group && group.channels === channelsOf(topology, outputsOf(layer)[0])) return groupL1(group);
    const norm = followingBatchNorm(topology, layer);
    return norm ? batchNormFold(norm) : filterNorms(layer);
  };
}

/** Each group's whole-group L1 (group-l1's score), computed once: `groupKernel` and `kernelWidths` both read it. */
function groupL1Of(model: tfl.LayersModel, graph: ChannelGraph): (group: ChannelGroup) => Float32Array {
  const byGroup = new Map<number, Float32Array>();
  return (group) => {
    if (!byGroup.has(group.id)) byGroup.set(group.id, groupMagnitude(group, model, graph, 1));
    return byGroup.get(group.id)!;
  };
}

/** `writerSpread`: g stretched about its mean so its standard deviation is the writers' mean one (floored at 0). */
function withSpread(g: Float32Array, writers: Float32Array[]): Float32Array {
  const { mean, std } = meanAndStd(g);
  const target = writers.reduce((s, w) => s + meanAndStd(w).std, 0) / writers.length;
  return std > 0 ? g.map((x) => Math.max(0, mean + ((x - mean) * target) / std)) : g;
}

/** `kernelWidths`: `values` sorted and handed out in the order of `order`: the k-th highest of `order` gets the k-th highest value. */
function inOrderOf(order: Float32Array, values: Float32Array): Float32Array {
  const ranked = Array.from(order.keys()).sort((a, b) => order[b] - order[a] || a - b);
  const sorted = Float32Array.from(values).sort().reverse();
  const out = new Float32Array(order.length);
  ranked.forEach((c, k) => (out[c] = sorted[k]));
  return out;
}

function meanOf(channels: number, vectors: Float32Array[]): Float32Array {
  const mean = new Float32Array(channels);
  for (const v of vectors) v.forEach((x, c) => (mean[c] += x / vectors.length));
  return mean;
}

/** The tensors whose mu the walk reads: writers' A^l, consumers' inputs and the inputs of residual adds. */
export function statisticTargets(model: tfl.LayersModel, topology: Topology): tfl.SymbolicTensor[] {
  const heads = headProducers(model);
  const targets = new Map<string, tfl.SymbolicTensor>();
  const want = (t: tfl.SymbolicTensor) => isModelInput(t) || targets.set(tensorKey(t), t);
  for (const layer of topology.layers) {
    if (isWriter(layer) && !heads.has(layer.name)) want(postActivation(topology, layer));
    if (isWriter(layer) || layer.getClassName() === 'DepthwiseConv2D') want(inputsOf(layer)[0]);
    if (['Add', 'Average'].includes(layer.getClassName())) inputsOf(layer).forEach(want);
  }
  return [...targets.values()];
}
