import type * as tfl from '@tensorflow/tfjs-layers';
import { layerKind } from './layer-kinds.js';
import { layerFlops } from '../models/model-cost.js';

/** A set of channels that must be pruned together: one mask for all its members. */
export interface ChannelGroup {
  id: number;
  channels: number;
  /** Layers whose output channels are these (conv, dense; several when an Add couples them). */
  producers: string[];
  /** Layers with per-channel weights on these channels (batch norm). */
  followers: string[];
  /** Layers that read these channels; `spatial` > 1 when a flatten spreads each channel. */
  consumers: { layer: string; spatial: number }[];
  prunable: boolean;
  /** Why the group cannot be pruned, in plain words. */
  reasons: string[];
}

/** A conv or dense layer with the groups it reads and writes, for counting cost under a mask. */
export interface ProducerCost {
  layer: string;
  inGroup: number;
  outGroup: number;
  /** FLOPs = flopsPerPair * keptIn * keptOut. */
  flopsPerPair: number;
  /** Weights = weightsPerPair * keptIn * keptOut + weightsPerOut * keptOut. */
  weightsPerPair: number;
  weightsPerOut: number;
}

export interface ChannelGraph {
  groups: ChannelGroup[];
  producers: ProducerCost[];
  /** Per-channel weights of followers (e.g. 4 for batch norm) by group. */
  followerWeights: { group: number; perChannel: number }[];
  /** Weights the masks never change (e.g. of unsupported layers). */
  fixedWeights: number;
}

interface ProducerLink {
  layer: tfl.layers.Layer;
  inGroup: number;
  outGroup: number;
}

interface TensorInfo {
  group: number;
  spatial: number;
}

/**
 * Traces channels through a model in topological order. Union-find merges the groups an Add couples.
 * Layers it does not know are left alone: the groups they touch become unprunable, with the reason.
 */
export function buildChannelGraph(model: tfl.LayersModel): ChannelGraph {
  const groups: ChannelGroup[] = [];
  const parent: number[] = [];
  const find = (g: number): number => (parent[g] === g ? g : (parent[g] = find(parent[g])));
  const newGroup = (channels: number, reason?: string) => {
    const id = groups.length;
    groups.push({ id, channels, producers: [], followers: [], consumers: [], prunable: !reason, reasons: reason ? [reason] : [] });
    parent.push(id);
    return id;
  };
  const tensors = new Map<string, TensorInfo>();
  const key = (t: tfl.SymbolicTensor) => `${t.sourceLayer.name}:${t.outputTensorIndex ?? 0}`;
  const producerLinks: ProducerLink[] = [];
  const followerLinks: { layer: tfl.layers.Layer; group: number }[] = [];
  let fixedWeights = 0;

  for (const input of model.inputs) {
    tensors.set(key(input), { group: newGroup(channelsOf(input.shape), `model input '${input.sourceLayer.name}'`), spatial: 1 });
  }
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const inputs = (Array.isArray(layer.input) ? layer.input : [layer.input]).map((t) => {
      const info = tensors.get(key(t));
      if (!info) throw new Error(`Layer '${layer.name}' reads a tensor the graph has not seen (${key(t)})`);
      return info;
    });
    const outputs = Array.isArray(layer.output) ? layer.output : [layer.output];
    const kind = layerKind(layer.getClassName());
    let out: TensorInfo;
    if (kind === 'producer' && inputs.length === 1) {
      const outGroup = newGroup(channelsOf(outputs[0].shape));
      groups[outGroup].producers.push(layer.name);
      groups[find(inputs[0].group)].consumers.push({ layer: layer.name, spatial: inputs[0].spatial });
      producerLinks.push({ layer, inGroup: inputs[0].group, outGroup });
      out = { group: outGroup, spatial: 1 };
    } else if (kind === 'follower' && inputs.length === 1) {
      groups[find(inputs[0].group)].followers.push(layer.name);
      followerLinks.push({ layer, group: inputs[0].group });
      out = inputs[0];
    } else if (kind === 'passthrough' && inputs.length === 1) {
      out = inputs[0];
    } else if (kind === 'flatten' && inputs.length === 1) {
      const shape = layer.input instanceof Array ? layer.input[0].shape : layer.input.shape;
      const spatial = shape.slice(1, -1).reduce((a: number, b) => a * (b ?? 1), 1);
      out = { group: inputs[0].group, spatial: inputs[0].spatial * spatial };
    } else if (kind === 'merge' && inputs.every((i) => i.spatial === inputs[0].spatial)) {
      const root = find(inputs[0].group);
      for (const other of inputs.slice(1)) parent[find(other.group)] = root;
      out = inputs[0];
    } else {
      const why = `read by '${layer.name}' (${layer.getClassName()}), which Pruneflow cannot slice`;
      for (const input of inputs) {
        groups[find(input.group)].prunable = false;
        groups[find(input.group)].reasons.push(why);
      }
      fixedWeights += layer.countParams();
      out = { group: newGroup(channelsOf(outputs[0].shape), `written by '${layer.name}' (${layer.getClassName()}), which Pruneflow cannot slice`), spatial: 1 };
    }
    for (const output of outputs) tensors.set(key(output), out);
  }
  for (const output of model.outputs) {
    const group = groups[find(tensors.get(key(output))!.group)];
    group.prunable = false;
    group.reasons.push(`model output '${output.sourceLayer.name}'`);
  }
  return mergeGroups(groups, find, producerLinks, followerLinks, fixedWeights);
}

function mergeGroups(
  raw: ChannelGroup[],
  find: (g: number) => number,
  producerLinks: ProducerLink[],
  followerLinks: { layer: tfl.layers.Layer; group: number }[],
  fixedWeights: number,
): ChannelGraph {
  const renumber = new Map<number, number>();
  const groups: ChannelGroup[] = [];
  for (const group of raw) {
    const root = find(group.id);
    if (!renumber.has(root)) {
      renumber.set(root, groups.length);
      groups.push({ ...raw[root], id: groups.length, producers: [], followers: [], consumers: [], reasons: [] });
    }
    const merged = groups[renumber.get(root)!];
    merged.producers.push(...group.producers);
    merged.followers.push(...group.followers);
    merged.consumers.push(...group.consumers);
    for (const reason of group.reasons) if (!merged.reasons.includes(reason)) merged.reasons.push(reason);
    merged.prunable &&= group.prunable;
  }
  const id = (g: number) => renumber.get(find(g))!;
  const producers = producerLinks.map(({ layer, inGroup, outGroup }) => {
    const inChannels = groups[id(inGroup)].channels;
    const outChannels = groups[id(outGroup)].channels;
    const kernel = layer.getWeights()[0]?.size ?? 0;
    const bias = layer.countParams() - kernel;
    return {
      layer: layer.name,
      inGroup: id(inGroup),
      outGroup: id(outGroup),
      flopsPerPair: layerFlops(layer) / (inChannels * outChannels),
      weightsPerPair: kernel / (inChannels * outChannels),
      weightsPerOut: bias / outChannels,
    };
  });
  const followerWeights = followerLinks.map(({ layer, group }) => ({
    group: id(group),
    perChannel: layer.countParams() / groups[id(group)].channels,
  }));
  return { groups, producers, followerWeights, fixedWeights };
}

function channelsOf(shape: (number | null)[]): number {
  const channels = shape[shape.length - 1];
  if (channels === null) throw new Error('a tensor with an unknown channel count cannot be traced');
  return channels;
}

/** FLOPs and weights of the network if each group kept `kept[group]` channels (all when absent). */
export function maskedCost(graph: ChannelGraph, kept: ReadonlyMap<number, number>): { flops: number; params: number } {
  const width = (g: number) => kept.get(g) ?? graph.groups[g].channels;
  let flops = 0;
  let params = graph.fixedWeights;
  for (const p of graph.producers) {
    const pairs = width(p.inGroup) * width(p.outGroup);
    flops += p.flopsPerPair * pairs;
    params += p.weightsPerPair * pairs + p.weightsPerOut * width(p.outGroup);
  }
  for (const f of graph.followerWeights) params += f.perChannel * width(f.group);
  return { flops: Math.round(flops), params: Math.round(params) };
}
