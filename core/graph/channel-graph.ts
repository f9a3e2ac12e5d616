import type * as tfl from '@tensorflow/tfjs-layers';
import { modelCalls } from '../models/model-calls.js';
import { layerKind } from './layer-kinds.js';
import { layerCost, type LayerCost } from './layer-cost.js';

/** A set of channel positions that must be pruned together: one mask for all its members. */
export interface ChannelGroup {
  id: number;
  channels: number;
  /** Layers whose weights make these channels (conv, dense; several when an Add couples them). */
  producers: string[];
  /** Layers with one weight set per channel on these channels (batch norm, depthwise conv). */
  followers: string[];
  /** Layers that read these channels (as all or part of their input). */
  consumers: string[];
  prunable: boolean;
  /** Why the group cannot be pruned, in plain words. */
  reasons: string[];
  /**
   * The channels form this many equal runs (the groups of a grouped convolution that writes or reads them):
   * pruning keeps the same count in each run, so every convolution group stays the same size. 1 when absent.
   */
  blocks?: number;
}

/** A run of channels of one group inside a tensor: tensors after a concatenation hold several. */
export interface Segment {
  group: number;
  /** Positions the run fills in the tensor: the group's channels times `repeat`. */
  channels: number;
  /**
   * Each channel of the group fills this many neighbouring positions (channel c at c * repeat .. c * repeat +
   * repeat - 1): the outputs a depthwise convolution with a channel multiplier makes from it. 1 when absent.
   */
  repeat?: number;
}

/** The tensor positions, from `offset`, that channel `c` of `segment`'s group fills. */
export function positionsOf(segment: Segment, offset: number, c: number): number[] {
  const repeat = segment.repeat ?? 1;
  return Array.from({ length: repeat }, (_, j) => offset + c * repeat + j);
}

/**
 * One value per channel of `segment`'s group from per-position `values` (its run starts at `offset`): the
 * positions a channel fills are summed ('sum') or averaged ('mean').
 */
export function perChannel(values: ArrayLike<number>, offset: number, segment: Pick<Segment, 'channels' | 'repeat'>, reduce: 'sum' | 'mean'): Float32Array {
  const repeat = segment.repeat ?? 1;
  const out = new Float32Array(segment.channels / repeat);
  for (let p = 0; p < segment.channels; p++) out[Math.floor(p / repeat)] += values[offset + p];
  if (reduce === 'mean' && repeat > 1) out.forEach((v, c) => (out[c] = v / repeat));
  return out;
}

/** How a layer touches channels: what it reads, what it writes, and its cost per kept channel. */
export interface LayerPorts {
  name: string;
  className: string;
  inputs: Segment[];
  outputs: Segment[];
  /** Rows per input channel when a flatten feeds a dense layer (channels-last order). */
  inSpatial: number;
  cost: LayerCost;
}

export interface ChannelGraph {
  groups: ChannelGroup[];
  /** Every layer the graph can see through, in topological order. */
  layers: LayerPorts[];
  /** Weights the masks never change (layers the graph cannot see through). */
  fixedWeights: number;
}

interface TensorInfo {
  segments: Segment[];
  spatial: number;
  /** The concatenation that made this tensor (for messages). */
  concat?: string;
}

/**
 * Traces channels through a model in topological order, call by call. Union-find merges the groups an
 * element-wise merge couples. Layers it does not know are left alone: the groups they touch become
 * unprunable, with the reason, and the rest of the model stays prunable. A layer called several times
 * (shared weights) prunes as one: a convolution or dense layer makes one group for all its calls and couples
 * the inputs of every call; a batch norm or depthwise convolution couples the inputs of every call.
 */
export function buildChannelGraph(model: tfl.LayersModel): ChannelGraph {
  const groups: ChannelGroup[] = [];
  const parent: number[] = [];
  const find = (g: number): number => (parent[g] === g ? g : (parent[g] = find(parent[g])));
  const newGroup = (channels: number, reason?: string): number => {
    groups.push({ id: groups.length, channels, producers: [], followers: [], consumers: [], prunable: !reason, reasons: reason ? [reason] : [] });
    parent.push(groups.length - 1);
    return groups.length - 1;
  };
  const block = (segments: Segment[], reason: string) => {
    for (const { group } of segments) {
      const root = groups[find(group)];
      root.prunable = false;
      if (!root.reasons.includes(reason)) root.reasons.push(reason);
    }
  };
  /** A grouped convolution's `count` groups split these channels: every run keeps the same number. */
  const requireBlocks = (group: number, count: number) => {
    groups[group].blocks = lcm(groups[group].blocks ?? 1, count);
  };
  const tensors = new Map<number, TensorInfo>();
  const key = (t: tfl.SymbolicTensor) => t.id;
  const layers: LayerPorts[] = [];
  let fixedWeights = 0;

  for (const input of model.inputs) {
    const channels = channelsOf(input.shape);
    tensors.set(key(input), { segments: [{ group: newGroup(channels, `model input '${input.sourceLayer.name}'`), channels }], spatial: 1 });
  }
  /** A shared layer's first call: what later calls must match, and its record (costs add up over the calls). */
  const firstCalls = new Map<string, { input: TensorInfo; out: TensorInfo; ports?: LayerPorts; reason?: string }>();
  for (const call of modelCalls(model)) {
    const { layer } = call;
    const inputs = call.inputs.map((t) => tensors.get(key(t))!);
    const outputs = call.outputs;
    const kind = layerKind(layer, call.inputs[0]);
    const single = inputs.length === 1 ? inputs[0] : undefined;
    let out: TensorInfo | undefined;
    const record = (outputSegments: Segment[]) => {
      const ports = {
        name: layer.name,
        className: layer.getClassName(),
        inputs: inputs[0].segments,
        outputs: outputSegments,
        inSpatial: inputs[0].spatial,
        cost: layerCost(layer, inputs[0].spatial, outputs[0].shape),
      };
      layers.push(ports);
      return ports;
    };
    const first = call.calls > 1 ? firstCalls.get(layer.name) : undefined;
    const weighted = layer.countParams() > 0;

    if (first?.reason) {
      for (const input of inputs) block(input.segments, first.reason);
      out = first.out;
    } else if (first && weighted) {
      // A later call of a shared layer: its input channels are the first call's (same weights read them), its
      // output channels the same group; its multiply-adds add to the layer's cost.
      if (single && sameLayout([first.input, single]) && first.ports) {
        single.segments.forEach((s, i) => (parent[find(s.group)] = find(first.input.segments[i].group)));
        out = kind === 'channelwise' ? single : first.out;
        const extra = layerCost(layer, single.spatial, outputs[0].shape).flops;
        const cost = first.ports.cost;
        cost.flops = { pair: cost.flops.pair + extra.pair, perIn: cost.flops.perIn + extra.perIn, perOut: cost.flops.perOut + extra.perOut };
      } else {
        const why = `'${layer.name}' (${layer.getClassName()}) is called ${call.calls} times on inputs of different layouts`;
        for (const input of [first.input, ...inputs]) block(input.segments, why);
        block(first.out.segments, why);
        const channels = channelsOf(outputs[0].shape);
        out = { segments: [{ group: newGroup(channels, why), channels }], spatial: 1 };
      }
    } else if (call.calls > 1 && weighted && kind !== 'producer' && kind !== 'channelwise') {
      const why = `'${layer.name}' (${layer.getClassName()}) is called ${call.calls} times and Pruneflow cannot prune a shared layer of this kind`;
      for (const input of inputs) block(input.segments, why);
      fixedWeights += layer.countParams();
      const channels = channelsOf(outputs[0].shape);
      out = { segments: [{ group: newGroup(channels, why), channels }], spatial: 1 };
      firstCalls.set(layer.name, { input: inputs[0], out, reason: why });
    } else if (kind === 'producer' && single) {
      const channels = channelsOf(outputs[0].shape);
      // A fused softmax mixes the channels it makes: removing one would change the others.
      const mixes = layer.getConfig().activation === 'softmax';
      const group = newGroup(channels, mixes ? `made by '${layer.name}' (${layer.getClassName()}), whose softmax mixes its channels` : undefined);
      groups[group].producers.push(layer.name);
      for (const s of single.segments) groups[s.group].consumers.push(layer.name);
      out = { segments: [{ group, channels }], spatial: 1 };
      const ports = record(out.segments);
      if (call.calls > 1) firstCalls.set(layer.name, { input: single, out, ports });
    } else if (kind === 'grouped' && single && single.spatial === 1) {
      // Output channel o of group g reads input group g only: both sides keep the same count per conv group,
      // chosen independently (input and output groups are different channels). Reading a concatenation of
      // equal parts, the parts are coupled channel by channel (one mask) and that mask keeps the same count in
      // every run a conv group covers, whatever the part and group widths. Parts of unequal widths would need
      // counts tied across groups: they are not pruned (named), and the convolution's outputs still are.
      const blocks = layer.getConfig().groups as number;
      const channels = channelsOf(outputs[0].shape);
      const group = newGroup(channels);
      groups[group].producers.push(layer.name);
      requireBlocks(group, blocks);
      for (const s of single.segments) groups[s.group].consumers.push(layer.name);
      const runs = groupedInputRuns(single.segments, blocks);
      if (runs === undefined) {
        const widths = single.segments.map((s) => s.channels).join(', ');
        const through = single.concat ? ` through the concatenation '${single.concat}'` : '';
        block(
          single.segments,
          `read by '${layer.name}' (${layer.getClassName()})${through} of parts ${widths} channels wide: its ${blocks} groups must keep equal ` +
            'channel counts, which Pruneflow keeps only across equal parts',
        );
      } else {
        const [first] = single.segments;
        single.segments.slice(1).forEach((s) => (parent[find(s.group)] = find(first.group)));
        requireBlocks(first.group, runs);
      }
      out = { segments: [{ group, channels }], spatial: 1 };
      record(out.segments);
    } else if (kind === 'channelwise' && single && single.spatial === 1) {
      // A depthwise convolution with a channel multiplier m makes m outputs from each input channel (output
      // c * m + j reads input c): they stay the input's channels, each filling m positions.
      const multiplier = layer.getClassName() === 'DepthwiseConv2D' ? ((layer.getConfig().depthMultiplier as number | undefined) ?? 1) : 1;
      for (const s of single.segments) groups[s.group].followers.push(layer.name);
      out =
        multiplier === 1
          ? single
          : { segments: single.segments.map((s) => ({ group: s.group, channels: s.channels * multiplier, repeat: (s.repeat ?? 1) * multiplier })), spatial: 1 };
      const ports = record(out.segments);
      if (call.calls > 1) firstCalls.set(layer.name, { input: single, out, ports });
    } else if (kind === 'passthrough' && single) {
      out = single;
    } else if (kind === 'flatten' && single) {
      const shape = call.inputs[0].shape;
      const spatial = shape.slice(1, -1).reduce((a: number, b) => a * (b ?? 1), 1);
      out = { segments: single.segments, spatial: single.spatial * spatial };
    } else if (kind === 'merge' && sameLayout(inputs)) {
      inputs.slice(1).forEach((other) => other.segments.forEach((s, i) => (parent[find(s.group)] = find(inputs[0].segments[i].group))));
      out = inputs[0];
    } else if (kind === 'concat' && inputs.every((i) => i.spatial === 1)) {
      out = { segments: inputs.flatMap((i) => i.segments), spatial: 1, concat: layer.name };
    } else if (kind === 'indexmap' && single && single.spatial === 1) {
      for (const s of single.segments) groups[s.group].consumers.push(layer.name);
      const channels = channelsOf(outputs[0].shape);
      out = { segments: [{ group: newGroup(channels), channels }], spatial: 1 };
      record(out.segments);
    }
    if (!out) {
      const why =
        typeof kind === 'object' ? kind.unsupported : kind === 'grouped' ? 'a grouped convolution reading a flatten' : `an input layout it cannot follow`;
      for (const input of inputs) block(input.segments, `read by '${layer.name}' (${layer.getClassName()}): ${why}`);
      if (call.index === 0) fixedWeights += layer.countParams();
      const channels = channelsOf(outputs[0].shape);
      out = { segments: [{ group: newGroup(channels, `written by '${layer.name}' (${layer.getClassName()}): ${why}`), channels }], spatial: 1 };
      if (call.calls > 1 && weighted)
        firstCalls.set(layer.name, { input: inputs[0], out, reason: `read by '${layer.name}' (${layer.getClassName()}): ${why}` });
    }
    for (const output of outputs) tensors.set(key(output), out);
  }
  for (const output of model.outputs) block(tensors.get(key(output))!.segments, `model output '${output.sourceLayer.name}'`);
  return renumber(groups, find, layers, fixedWeights);
}

/** Element-wise merges need the same channel layout on every input. */
function sameLayout(inputs: TensorInfo[]): boolean {
  const [first] = inputs;
  return inputs.every(
    (i) =>
      i.spatial === first.spatial &&
      i.segments.length === first.segments.length &&
      i.segments.every((s, k) => s.channels === first.segments[k].channels && (s.repeat ?? 1) === (first.segments[k].repeat ?? 1)),
  );
}

/**
 * How a grouped convolution with `groups` groups can read these parts: coupled channel by channel (equal widths,
 * the same channel multiplier), the shared mask must keep the same count in each of the returned number of equal
 * runs. A conv group covers `width * parts / groups` positions; the positions of all conv groups, taken modulo the
 * part width, are runs of gcd(part width, conv group width), so equal counts in those runs keep every conv group
 * equal. Undefined when the parts differ (a count tie across groups the graph cannot express) or a run would split
 * the positions a channel multiplier gives one channel.
 */
function groupedInputRuns(segments: Segment[], groups: number): number | undefined {
  const [first] = segments;
  const repeat = first.repeat ?? 1;
  if (!segments.every((s) => s.channels === first.channels && (s.repeat ?? 1) === repeat)) return undefined;
  const convGroup = (first.channels * segments.length) / groups;
  if (!Number.isInteger(convGroup)) return undefined;
  const run = gcd(first.channels, convGroup);
  return run % repeat === 0 ? first.channels / run : undefined;
}

/** Collapses merged groups into one, numbered 0..n-1, and points every segment at its final group. */
function renumber(raw: ChannelGroup[], find: (g: number) => number, layers: LayerPorts[], fixedWeights: number): ChannelGraph {
  const ids = new Map<number, number>();
  const groups: ChannelGroup[] = [];
  for (const group of raw) {
    const root = find(group.id);
    if (!ids.has(root)) {
      ids.set(root, groups.length);
      groups.push({ ...raw[root], id: groups.length, producers: [], followers: [], consumers: [], reasons: [], prunable: true });
    }
    const merged = groups[ids.get(root)!];
    const add = (list: string[], items: string[]) => items.forEach((item) => list.includes(item) || list.push(item));
    add(merged.producers, group.producers);
    add(merged.followers, group.followers);
    add(merged.consumers, group.consumers);
    add(merged.reasons, group.reasons);
    merged.prunable &&= group.prunable;
    if (group.blocks) merged.blocks = lcm(merged.blocks ?? 1, group.blocks);
  }
  for (const group of groups) {
    if (group.blocks && group.channels % group.blocks !== 0) {
      group.prunable = false;
      group.reasons.push(`its ${group.channels} channels do not split into the ${group.blocks} equal runs its grouped convolutions need`);
    }
  }
  const remap = (segments: Segment[]) => segments.map((s) => ({ ...s, group: ids.get(find(s.group))! }));
  return { groups, layers: layers.map((l) => ({ ...l, inputs: remap(l.inputs), outputs: remap(l.outputs) })), fixedWeights };
}

function gcd(x: number, y: number): number {
  return y === 0 ? x : gcd(y, x % y);
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

function channelsOf(shape: (number | null)[]): number {
  const channels = shape[shape.length - 1];
  if (channels === null) throw new Error('a tensor with an unknown channel count cannot be traced');
  return channels;
}

/** FLOPs and weights of the network if each group kept `kept[group]` channels (all when absent). */
export function maskedCost(graph: ChannelGraph, kept: ReadonlyMap<number, number>): { flops: number; params: number } {
  const width = (segments: Segment[]) => segments.reduce((n, s) => n + (kept.has(s.group) ? kept.get(s.group)! * (s.repeat ?? 1) : s.channels), 0);
  let flops = 0;
  let params = graph.fixedWeights;
  for (const { inputs, outputs, cost } of graph.layers) {
    const inW = width(inputs);
    const outW = width(outputs);
    flops += cost.flops.pair * inW * outW + cost.flops.perIn * inW + cost.flops.perOut * outW;
    params += cost.weights.pair * inW * outW + cost.weights.perIn * inW + cost.weights.perOut * outW;
  }
  return { flops: Math.round(flops), params: Math.round(params) };
}
