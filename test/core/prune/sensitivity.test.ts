import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildChannelGraph, type ChannelGraph, maskedCost } from '../../../core/graph/channel-graph.js';
import { l1Norm } from '../../../core/importance/l1-norm.js';
import { planPruning } from '../../../core/prune/budget.js';
import { analyseSensitivity, type SensitivityProgress } from '../../../core/prune/sensitivity/analyse.js';
import { selectRatios } from '../../../core/prune/sensitivity/select-ratios.js';
import type { SensitivityTable } from '../../../core/prune/sensitivity/sensitivity-table.js';
import { type SensitivityFixture, sensitivityFixture } from './sensitivity-fixture.js';

let fixture: SensitivityFixture;
let graph: ChannelGraph;
let scores: Map<number, Float32Array>;
/** block3's 32 lowest-scored channels, silenced for block4 (their input weights there are zero). */
let deadGroup: number;
let vitalGroup: number;
let table: SensitivityTable;
let before: Uint8Array[];
const progress: SensitivityProgress[] = [];

const weightBytes = () => fixture.model.weights.map((w) => new Uint8Array(w.read().dataSync().slice().buffer));
const groupOf = (layer: string) => graph.groups.find((g) => g.producers.includes(layer))!.id;

beforeAll(async () => {
  fixture = await sensitivityFixture();
  graph = buildChannelGraph(fixture.model);
  scores = await l1Norm.scoreGroups({ model: fixture.model, graph, seed: 1 });
  deadGroup = groupOf('block3_conv');
  vitalGroup = groupOf('block1_conv');
  // Whatever block3's weakest half computes, block4 no longer reads it: removing it cannot cost accuracy.
  const weakest = Array.from(scores.get(deadGroup)!.keys())
    .sort((a, b) => scores.get(deadGroup)![a] - scores.get(deadGroup)![b])
    .slice(0, 32);
  const block4 = fixture.model.getLayer('block4_conv');
  const [kernel, ...rest] = block4.getWeights();
  const inputMask = tf.tensor4d(
    Array.from({ length: 64 }, (_, c) => (weakest.includes(c) ? 0 : 1)),
    [1, 1, 64, 1],
  );
  const masked = tf.mul(kernel, inputMask);
  block4.setWeights([masked, ...rest]);
  tf.dispose([inputMask, masked]);
  before = weightBytes();
  table = await analyseSensitivity(fixture.model, graph, scores, fixture.evalBatches, [0.25, 0.5, 0.75], { onProgress: (p) => progress.push(p) });
}, 120_000);
afterAll(() => fixture.dispose());

describe('sensitivity analysis', () => {
  it('puts every weight back exactly after the trials', () => {
    const after = weightBytes();
    expect(after).toHaveLength(before.length);
    after.forEach((bytes, i) => expect(Buffer.compare(bytes, before[i]), fixture.model.weights[i].name).toBe(0));
  });

  it('measures each prunable group at each ratio against the whole model', () => {
    const prunable = graph.groups.filter((g) => g.prunable);
    expect(table.rows.map((r) => r.group)).toEqual(prunable.map((g) => g.id));
    expect(table.images).toBe(256);
    expect(table.baseline).toBeGreaterThan(0.3); // one epoch on 1,000 images, half of block3 unread: far above chance
    for (const row of table.rows) {
      expect(row.trials.map((t) => t.ratio)).toEqual([0.25, 0.5, 0.75]);
      expect(row.trials.map((t) => t.kept)).toEqual([0.75, 0.5, 0.25].map((k) => Math.round(k * row.channels)));
      for (const t of row.trials) expect(t.drop).toBeCloseTo(table.baseline - t.accuracy, 12);
    }
  });

  it('finds no loss where the removed channels were not read, and a large one in a vital layer', () => {
    const drops = (group: number) => table.rows.find((r) => r.group === group)!.trials.map((t) => t.drop);
    expect(drops(deadGroup).slice(0, 2)).toEqual([0, 0]);
    expect(drops(vitalGroup)[1]).toBeGreaterThan(0.15);
  });

  it('reports one progress event per trial, the baseline first', () => {
    expect(progress.map((p) => p.step)).toEqual(Array.from({ length: 1 + table.rows.length * 3 }, (_, i) => i + 1));
    expect(progress.every((p) => p.total === progress.length)).toBe(true);
    expect(progress[0].group).toBeUndefined();
    expect(progress[1]).toMatchObject({ group: table.rows[0].group, ratio: 0.25, accuracy: table.rows[0].trials[0].accuracy });
  });

  it('stops when cancelled and still leaves the weights as they were', async () => {
    const controller = new AbortController();
    const run = analyseSensitivity(fixture.model, graph, scores, fixture.evalBatches, [0.5], {
      signal: controller.signal,
      onProgress: (p) => p.step === 2 && controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    weightBytes().forEach((bytes, i) => expect(Buffer.compare(bytes, before[i])).toBe(0));
  });

  it('chooses shares for a FLOPs target within 1%, cutting least from the sensitive group', () => {
    const target = { metric: 'flops' as const, reduction: 0.4 };
    const selection = selectRatios(graph, table, target);
    const cut = 1 - selection.achieved.flops / selection.baseline.flops;
    expect(cut).toBeGreaterThanOrEqual(0.4);
    expect(cut).toBeLessThan(0.41);
    // The free half of block3 goes first, then the rest is shared by what each share costs.
    expect(selection.ratios.get(deadGroup)).toBeGreaterThanOrEqual(0.5);
    expect(selection.ratios.get(deadGroup)).toBeGreaterThan(selection.ratios.get(vitalGroup)! + 0.2);
    // The criterion picks which channels: the plan with these shares counts the same cost.
    const plan = planPruning(graph, scores, { ...target, fixedRatios: selection.ratios });
    expect(plan.achieved).toEqual(selection.achieved);
    expect(maskedCost(graph, new Map([...plan.keep].map(([g, k]) => [g, k.length])))).toEqual(selection.achieved);
  });
});
