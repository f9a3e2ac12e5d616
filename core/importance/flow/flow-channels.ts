import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelGraph, LayerPorts } from '../../graph/channel-graph.js';
import { layerKind } from '../../graph/layer-kinds.js';
import { kernelMagnitude } from '../cip-contribution.js';
import type { CipAnalysis } from '../cip-propagation.js';
import { foldAfter } from '../cip-rules.js';
import type { CipSettings } from '../cip-settings.js';
import { inputsOf, isModelInput, isWriter, outputsOf, readTopology, tensorKey, type Topology } from '../cip-topology.js';
import type { ChannelColumn, ChannelEdge } from './flow-bands.js';

/** The layers that make channels (conv, grouped conv, dense), in topological order: the diagram's columns. */
export function writerColumns(model: tfl.LayersModel, graph: ChannelGraph): ChannelColumn[] {
  return graph.layers
    .filter((ports) => isWriter(model.getLayer(ports.name)))
    .map((ports) => ({ layer: ports.name, className: ports.className, group: ports.outputs[0].group, channels: ports.outputs[0].channels }));
}

/**
 * CIP's messages channel by channel (CIP-SPEC section 3): writer d of a layer sends P_{d,c} I_d to input
 * channel c, with C_{d,c} = s_d ||W_{d,c}||_1 mu_c and P its row-normalised share. Summed over d this is the
 * message the walk deposits; here each pair becomes a link from the channel's last writer to d. Residual
 * adds pass relevance straight to the previous writer of the stream (or through the option-A index map).
 */
export function channelEdges(
  model: tfl.LayersModel,
  graph: ChannelGraph,
  columns: ChannelColumn[],
  analysis: CipAnalysis,
  settings: CipSettings,
): ChannelEdge[] {
  const topology = readTopology(model);
  const ports = new Map(graph.layers.map((p) => [p.name, p]));
  const lastWriter = (group: number, before: number) => {
    for (let i = before - 1; i >= 0; i--) if (columns[i].group === group) return i;
    return -1;
  };
  const edges: ChannelEdge[] = [];
  columns.forEach((column, target) => {
    const layer = model.getLayer(column.layer);
    const writer = analysis.writers.get(column.layer);
    const input = inputsOf(layer)[0];
    if (writer && !isModelInput(input))
      edges.push(...weightEdges(layer, ports.get(column.layer)!, writer.importance, analysis, settings, topology, (g) => lastWriter(g, target), target));
    edges.push(...residualEdges(layer, column, target, analysis, topology, ports, (g) => lastWriter(g, target)));
  });
  return edges;
}

function weightEdges(
  layer: tfl.layers.Layer,
  ports: LayerPorts,
  importance: Float32Array,
  analysis: CipAnalysis,
  { eps, rowNormalisation }: CipSettings,
  topology: Topology,
  sourceOf: (group: number) => number,
  target: number,
): ChannelEdge[] {
  const inChannels = ports.inputs.reduce((n, s) => n + s.channels, 0);
  const magnitude = kernelMagnitude(layer, inChannels);
  const fold = foldAfter(topology, layer);
  const mu = analysis.statistic(inputsOf(layer)[0]);
  const outChannels = importance.length;
  // Rows of P, scaled by I_d: the same arithmetic as consumerMessage, kept per pair.
  const scale = new Float64Array(outChannels);
  for (let d = 0; d < outChannels; d++) {
    const s = fold ? fold[d] : 1;
    let row = 0;
    if (rowNormalisation) for (let c = 0; c < inChannels; c++) row += s * magnitude[c * outChannels + d] * mu[c];
    scale[d] = s * (rowNormalisation ? importance[d] / (row + eps) : importance[d]);
  }
  const edges: ChannelEdge[] = [];
  let offset = 0;
  for (const segment of ports.inputs) {
    const source = sourceOf(segment.group);
    if (source >= 0) {
      const size = segment.channels * outChannels;
      const edge: ChannelEdge = { source, target, kind: 'weights', from: new Int32Array(size), to: new Int32Array(size), weight: new Float32Array(size) };
      for (let c = 0; c < segment.channels; c++) {
        for (let d = 0; d < outChannels; d++) {
          const i = c * outChannels + d;
          edge.from[i] = Math.floor(c / (segment.repeat ?? 1)); // a channel a depthwise multiplier spread over several positions
          edge.to[i] = d;
          edge.weight[i] = magnitude[(offset + c) * outChannels + d] * mu[offset + c] * scale[d];
        }
      }
      edges.push(edge);
    }
    offset += segment.channels;
  }
  return edges;
}

/** The residual add a writer's output reaches through its batch norm and activation, if any. */
function residualEdges(
  layer: tfl.layers.Layer,
  column: ChannelColumn,
  target: number,
  analysis: CipAnalysis,
  topology: Topology,
  ports: Map<string, LayerPorts>,
  sourceOf: (group: number) => number,
): ChannelEdge[] {
  let branch = outputsOf(layer)[0];
  let add: tfl.layers.Layer | undefined;
  for (;;) {
    const readers = topology.readers.get(tensorKey(branch)) ?? [];
    if (readers.length !== 1) break;
    const kind = layerKind(readers[0]);
    if (kind === 'merge') add = readers[0];
    if ((kind !== 'channelwise' && kind !== 'passthrough') || inputsOf(readers[0]).length !== 1) break;
    branch = outputsOf(readers[0])[0];
  }
  const splits = add && analysis.splits.get(add.name);
  if (!add || !splits) return [];
  const edges: ChannelEdge[] = [];
  inputsOf(add).forEach((shortcut, j) => {
    if (tensorKey(shortcut) === tensorKey(branch)) return;
    const { group, channelOf } = shortcutSource(shortcut, column, ports);
    const source = sourceOf(group);
    if (source < 0) return;
    const pairs = Array.from({ length: column.channels }, (_, o) => [channelOf(o), o]).filter(([c]) => c >= 0);
    edges.push({
      source,
      target,
      kind: 'residual',
      from: Int32Array.from(pairs, ([c]) => c),
      to: Int32Array.from(pairs, ([, o]) => o),
      weight: Float32Array.from(pairs, ([, o]) => splits[j][o]),
    });
  });
  return edges;
}

/** Where a shortcut's channel o comes from: the same channel of the stream, or the input channel an index map copies. */
function shortcutSource(
  shortcut: tfl.SymbolicTensor,
  column: ChannelColumn,
  ports: Map<string, LayerPorts>,
): { group: number; channelOf: (o: number) => number } {
  for (let t = shortcut; ; t = inputsOf(t.sourceLayer as tfl.layers.Layer)[0]) {
    const layer = t.sourceLayer as tfl.layers.Layer;
    const kind = layerKind(layer);
    if (kind === 'indexmap') {
      const [segment] = ports.get(layer.name)!.inputs;
      const mapped = (layer as unknown as { sourceChannels?: number[] }).sourceChannels;
      return { group: segment.group, channelOf: (o) => (mapped ? mapped[o] : o < segment.channels ? o : -1) };
    }
    if ((kind !== 'passthrough' && kind !== 'channelwise') || inputsOf(layer).length !== 1 || isModelInput(t))
      return { group: column.group, channelOf: (o) => o };
  }
}

/**
 * Channel scores relative to their group's mean, by group: the criterion's where it scored the group, else
 * (groups the pruner leaves alone, like the classifier's) the first writer's CIP importance.
 */
export function relativeScores(
  graph: ChannelGraph,
  columns: ChannelColumn[],
  scores: ReadonlyMap<number, Float32Array>,
  analysis: CipAnalysis,
): Map<number, Float32Array> {
  const relative = new Map<number, Float32Array>();
  for (const column of columns) {
    if (relative.has(column.group)) continue;
    const values = scores.get(column.group) ?? analysis.writers.get(column.layer)?.importance ?? new Float32Array(column.channels).fill(1);
    relative.set(column.group, byGroupMean(values));
  }
  return relative;
}

export function byGroupMean(values: ArrayLike<number>): Float32Array {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i] / values.length;
  return Float32Array.from(values, (v) => (mean > 0 ? v / mean : 1));
}
