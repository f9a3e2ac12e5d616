import type * as tfl from '@tensorflow/tfjs-layers';
import type { PruneConfig, PruneStep } from '../api/contract.js';
import { type ChannelGraph, maskedCost } from '../graph/channel-graph.js';
import type { ScheduleContext } from '../prune/schedules/index.js';

/** Output channels of every conv and dense layer, in model order: the widths a result lists. */
export function layerWidths(model: tfl.LayersModel): { name: string; channels: number }[] {
  return model.layers
    .filter((l) => ['Conv2D', 'Dense', 'SeparableConv2D'].includes(l.getClassName()))
    .map((l) => ({ name: l.name, channels: (l.outputShape as number[]).at(-1)! }));
}

/**
 * A schedule's `onKept` hook that reports each step as kept widths per baseline layer. Iterative steps
 * see an already pruned graph: a layer's kept count comes from the group it writes in that graph.
 */
export function pruneStepReporter(
  baseline: tfl.LayersModel,
  graph: ChannelGraph,
  metric: PruneConfig['target']['metric'],
  report: (step: PruneStep) => void,
): ScheduleContext['onKept'] {
  const widths = layerWidths(baseline);
  const original = maskedCost(graph, new Map())[metric];
  return (step, steps, current, keep) => {
    const kept = new Map<string, number>();
    for (const group of current.groups) {
      for (const layer of group.producers) kept.set(layer, keep.get(group.id)?.length ?? group.channels);
    }
    const counts = new Map([...keep].map(([group, k]) => [group, k.length]));
    report({
      step,
      steps,
      cut: 1 - maskedCost(current, counts)[metric] / original,
      metric,
      layers: widths.map(({ name, channels }) => ({ name, kept: kept.get(name) ?? channels, total: channels })),
    });
  };
}
