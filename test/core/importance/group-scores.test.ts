import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import type { ImportanceContext } from '../../../core/importance/criterion.js';
import { normaliseGroup } from '../../../core/importance/group-normalisation.js';
import { getCriterion } from '../../../core/importance/registry.js';
import { weightModel } from './tiny-models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function context(): ImportanceContext {
  const model = weightModel();
  return { model, graph: buildChannelGraph(model), seed: 1 };
}

/** Scores by the name of the group's first producer. */
async function scoresOf(id: string, ctx = context()): Promise<Record<string, number[]>> {
  const scores = await getCriterion(id).scoreGroups(ctx);
  return Object.fromEntries([...scores].map(([g, s]) => [ctx.graph.groups[g].producers[0], [...s]]));
}

/** Column c of fc's kernel is output c; row r reads channel r of conv b. */
const fcRows = (ctx: ImportanceContext, p: number) => {
  const kernel = ctx.model.getLayer('fc').getWeights()[0].arraySync() as number[][];
  return kernel.map((row) => row.reduce((n, v) => n + Math.abs(v) ** p, 0));
};

describe('group magnitude: every member of a coupled group votes', () => {
  // Group of conv a: its filters (3, 4), (0, 1), (-3, -4); the batch norm's gamma (0.5, -2, 1); conv b's
  // input weights per channel: (1, -2), (0, 3), (-1, 1). Group of conv b: its filters (1, 0, -1), (-2, 3, 1) and fc's rows.
  it('group-l1: the mean over members of each channel\u2019s sum |w|', async () => {
    const ctx = context();
    const scores = await scoresOf('group-l1', ctx);
    [(7 + 0.5 + 3) / 3, (1 + 2 + 3) / 3, (7 + 1 + 2) / 3].forEach((v, c) => expect(scores.a[c]).toBeCloseTo(v, 5));
    const fc = fcRows(ctx, 1);
    [(2 + fc[0]) / 2, (6 + fc[1]) / 2].forEach((v, c) => expect(scores.b[c]).toBeCloseTo(v, 5));
  });

  it('lamp: the mean over members of each channel\u2019s sum w^2, for the lamp normalisation', async () => {
    const ctx = context();
    expect(getCriterion('lamp').normalisation).toBe('lamp');
    const scores = await scoresOf('lamp', ctx);
    const a = [(25 + 0.25 + 5) / 3, (1 + 4 + 9) / 3, (25 + 1 + 2) / 3];
    a.forEach((v, c) => expect(scores.a[c]).toBeCloseTo(v, 4));
    // LAMP: ascending 14/3 (channel 1), 28/3 (channel 2), 30.25/3 (channel 0); each over itself and all above.
    const lamp = normaliseGroup(Float32Array.from(scores.a), 'lamp');
    [1, a[1] / (a[0] + a[1] + a[2]), a[2] / (a[0] + a[2])].forEach((v, c) => expect(lamp[c]).toBeCloseTo(v, 5));
    const fc = fcRows(ctx, 2);
    [(2 + fc[0]) / 2, (14 + fc[1]) / 2].forEach((v, c) => expect(scores.b[c]).toBeCloseTo(v, 4));
  });

  it.each(['group-l1', 'lamp'])('%s leaks no tensors and gives the same scores twice', async (id) => {
    const ctx = context();
    const before = tf.memory().numTensors;
    const first = await scoresOf(id, ctx);
    expect(await scoresOf(id, ctx)).toEqual(first);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('group normalisation', () => {
  const values = Float32Array.from([1, 3, 8, 4]);
  it.each([
    ['mean', [0.25, 0.75, 2, 1]],
    ['max', [0.125, 0.375, 1, 0.5]],
    ['sum', [1 / 16, 3 / 16, 0.5, 0.25]],
    ['none', [1, 3, 8, 4]],
    // LAMP: ascending 1, 3, 4, 8; each over the sum of itself and every larger score.
    ['lamp', [1 / 16, 3 / 15, 1, 4 / 12]],
  ] as const)('%s', (how, expected) => {
    const out = normaliseGroup(values, how);
    expected.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
    expect([...values]).toEqual([1, 3, 8, 4]);
  });

  it('lamp gives each group\u2019s best channel 1 and breaks ties in channel order; a group of zeros stays zero', () => {
    expect([...normaliseGroup(Float32Array.from([2, 2]), 'lamp')]).toEqual([1, 0.5]);
    expect([...normaliseGroup(Float32Array.from([0, 0]), 'lamp')]).toEqual([0, 0]);
    expect([...normaliseGroup(Float32Array.from([0, 0]), 'mean')]).toEqual([0, 0]);
  });
});
