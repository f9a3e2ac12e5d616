import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildChannelGraph, type ChannelGraph } from '../../../core/graph/channel-graph.js';
import { zooEntry } from '../../../core/models/zoo.js';
import { BudgetError, planPruning, type PruningTarget } from '../../../core/prune/budget.js';
import { assertReachable, selectRatios, trialKept } from '../../../core/prune/sensitivity/select-ratios.js';
import type { SensitivityTable } from '../../../core/prune/sensitivity/sensitivity-table.js';

let graph: ChannelGraph;
const RATIOS = [0.25, 0.5, 0.75];
/** ResNet-20's three 64-channel inner convs of stage 3: the same cost, different sensitivities. */
const SLOPES = new Map([
  [9, 1],
  [11, 2],
  [12, 4],
]);

/** A table whose drop is `slope` times the share removed (1 for groups not in SLOPES). */
function linearTable(slopes: ReadonlyMap<number, number>): SensitivityTable {
  const rows = graph.groups
    .filter((g) => g.prunable)
    .map((g) => ({
      group: g.id,
      layers: g.producers,
      channels: g.channels,
      trials: RATIOS.map((ratio) => {
        const kept = trialKept(g.channels, ratio);
        const drop = (slopes.get(g.id) ?? 1) * (1 - kept / g.channels) * 0.1;
        return { ratio, kept, accuracy: 0.9 - drop, drop };
      }),
    }));
  return { baseline: 0.9, images: 500, ratios: RATIOS, rows };
}

const cut = (s: ReturnType<typeof selectRatios>, metric: 'flops' | 'params') => 1 - s.achieved[metric] / s.baseline[metric];
const uniformScores = () => new Map(graph.groups.filter((g) => g.prunable).map((g) => [g.id, Float32Array.from({ length: g.channels }, (_, c) => c + 1)]));

beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = zooEntry('resnet20').build({ inputShape: [32, 32, 3], numClasses: 10 });
  graph = buildChannelGraph(model);
  model.dispose();
  expect([...SLOPES.keys()].map((g) => graph.groups[g].producers)).toEqual([['stage3_block1_a_conv'], ['stage3_block2_a_conv'], ['stage3_block3_a_conv']]);
});

describe('greedy share selection from a sensitivity table', () => {
  it.each([
    ['flops', 0.3, 1],
    ['flops', 0.5, 1],
    ['params', 0.4, 1],
    ['flops', 0.5, 8],
    ['params', 0.3, 8],
  ] as const)('meets a %s cut of %s within 1 percent, kept channels rounded to %i', (metric, reduction, roundTo) => {
    const target: PruningTarget = { metric, reduction, roundTo };
    const selection = selectRatios(graph, linearTable(SLOPES), target);
    expect(cut(selection, metric)).toBeGreaterThanOrEqual(reduction);
    expect(cut(selection, metric)).toBeLessThan(reduction + 0.01);
    // planPruning keeps exactly the counts the selection paid for, and rounds as asked.
    const plan = planPruning(graph, uniformScores(), { ...target, fixedRatios: selection.ratios });
    expect(plan.achieved).toEqual(selection.achieved);
    for (const [group, kept] of plan.keep) expect(kept.length % roundTo === 0 || kept.length === graph.groups[group].channels).toBe(true);
  });

  it('interpolates between measured shares: twice as sensitive, half the share', () => {
    const { ratios } = selectRatios(graph, linearTable(SLOPES), { metric: 'flops', reduction: 0.5, protect: 0 });
    const [a, b, c] = [9, 11, 12].map((g) => ratios.get(g)!);
    expect(a).toBeGreaterThan(0.25);
    // One channel of 64 either way, from rounding and the give-back step.
    expect(b).toBeCloseTo(a / 2, 1);
    expect(Math.abs(b - a / 2)).toBeLessThanOrEqual(2 / 64);
    expect(Math.abs(c - a / 4)).toBeLessThanOrEqual(2 / 64);
  });

  it('never goes past the largest measured share or the protected minimum', () => {
    // Nothing costs accuracy: every group could go, but only as far as was measured (75%) and protected (40%).
    const free = linearTable(new Map(graph.groups.map((g) => [g.id, 0])));
    const protect = 0.4;
    const selection = selectRatios(graph, free, { metric: 'flops', reduction: 0.5, protect });
    for (const [group, ratio] of selection.ratios) {
      const channels = graph.groups[group].channels;
      expect(ratio).toBeLessThanOrEqual(1 - Math.ceil(protect * channels) / channels + 1e-9);
    }
    const reachable = selectRatios(graph, free, { metric: 'flops', reduction: 0.8, protect: 0 });
    for (const row of free.rows) expect(reachable.ratios.get(row.group)).toBeLessThanOrEqual(1 - row.trials[2].kept / row.channels + 1e-9);
  });

  it('keeps hand-set shares and chooses the rest around them', () => {
    const selection = selectRatios(graph, linearTable(SLOPES), { metric: 'flops', reduction: 0.4, fixedRatios: new Map([[12, 0.5]]) });
    expect(selection.ratios.get(12)).toBe(0.5);
    expect(cut(selection, 'flops')).toBeGreaterThanOrEqual(0.4);
    expect(cut(selection, 'flops')).toBeLessThan(0.41);
  });

  it('says when the measured shares cannot reach the target', () => {
    expect(() => assertReachable(graph, [0.25], { metric: 'flops', reduction: 0.6 })).toThrow(BudgetError);
    expect(() => assertReachable(graph, [0.25], { metric: 'flops', reduction: 0.6 })).toThrow(/analyse larger ratios/);
    expect(() => assertReachable(graph, RATIOS, { metric: 'flops', reduction: 0.6 })).not.toThrow();
  });
});
