import type * as tfl from '@tensorflow/tfjs-layers';
import { layerFlops } from '../models/model-cost.js';
import type { ChannelGraph } from './channel-graph.js';
import type { ModelInput } from '../api/input-fit.js';
import type { GroupRow, LayerRow, ModelReport } from '../api/reports.js';

/** The wire types are defined in core/api (reports.ts). */
export type { GroupRow, LayerRow, ModelReport };

export function modelReport(model: tfl.LayersModel, graph: ChannelGraph): ModelReport {
  const layers = model.layers.map((layer) => {
    // A shared layer's calls may have different shapes: its first call's is shown.
    const shape = (layer.inboundNodes[0]?.outputTensors[0]?.shape ?? layer.outputShape) as (number | null)[];
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
  return {
    name: model.name,
    input: modelInput(model),
    layers,
    groups,
    totals: { parameters: total('parameters'), flops: total('flops'), activations: total('activations') },
    summary,
  };
}

/** The image shape a model takes (null where any size goes) and the classes it predicts. */
export function modelInput(model: tfl.LayersModel): ModelInput {
  const [, height = null, width = null, channels = null] = model.inputs[0].shape;
  return { height, width, channels, classes: model.outputs[0].shape.at(-1) ?? null };
}

function describeGroup(group: GroupRow): string {
  const who = group.producers.length ? group.producers.slice(0, 3).join(', ') + (group.producers.length > 3 ? ', ...' : '') : 'the input';
  return `${group.channels} channel${group.channels === 1 ? '' : 's'} of ${who}`;
}
