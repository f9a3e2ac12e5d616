import type * as tfl from '@tensorflow/tfjs-layers';
import { layerFlops } from '../models/model-cost.js';
import type { ChannelGraph } from './channel-graph.js';
import type { InputContract } from '../models/input-contract.js';

export interface LayerRow {
  name: string;
  className: string;
  outputShape: (number | null)[];
  parameters: number;
  flops: number;
  /** Output activation values per image (memory = 4 bytes each in float32). */
  activations: number;
}

export interface GroupRow {
  id: number;
  channels: number;
  producers: string[];
  prunable: boolean;
  reasons: string[];
}

/** The pre-flight report: every layer's cost, every channel group, and in plain words what cannot be pruned. */
export interface ModelReport {
  name: string;
  layers: LayerRow[];
  groups: GroupRow[];
  totals: { parameters: number; flops: number; activations: number };
  summary: string[];
  /** How the model expects its images, where its file says (Teachable Machine metadata, a Pruneflow export). */
  inputContract?: InputContract;
}

export function modelReport(model: tfl.LayersModel, graph: ChannelGraph): ModelReport {
  const layers = model.layers.map((layer) => {
    const shape = layer.outputShape as (number | null)[];
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShape: shape,
      parameters: layer.countParams(),
      flops: layerFlops(layer),
      activations: shape.slice(1).reduce((a: number, b) => a * (b ?? 1), 1),
    };
  });
  const groups = graph.groups
    .filter((g) => g.producers.length > 0 || !g.prunable)
    .map(({ id, channels, producers, prunable, reasons }) => ({ id, channels, producers, prunable, reasons }));
  const prunable = groups.filter((g) => g.prunable);
  const prunableChannels = prunable.reduce((n, g) => n + g.channels, 0);
  const summary = [
    `${prunable.length} of ${groups.length} channel groups can be pruned (${prunableChannels} channels).`,
    ...groups.filter((g) => !g.prunable).map((g) => `Not pruned: ${describeGroup(g)}: ${g.reasons.join('; ')}.`),
  ];
  const total = (key: 'parameters' | 'flops' | 'activations') => layers.reduce((n, l) => n + l[key], 0);
  return { name: model.name, layers, groups, totals: { parameters: total('parameters'), flops: total('flops'), activations: total('activations') }, summary };
}

function describeGroup(group: GroupRow): string {
  const who = group.producers.length ? group.producers.slice(0, 3).join(', ') + (group.producers.length > 3 ? ', ...' : '') : 'the input';
  return `${group.channels} channel${group.channels === 1 ? '' : 's'} of ${who}`;
}
