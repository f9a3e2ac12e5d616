import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import type { ImportanceContext } from '../../../core/importance/criterion.js';
import { getCriterion } from '../../../core/importance/registry.js';
import { weightModel } from './tiny-models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function context(seed = 1): ImportanceContext {
  const model = weightModel();
  return { model, graph: buildChannelGraph(model), seed };
}

/** Scores by the name of the group's first producer. */
async function scoresOf(id: string, ctx = context()): Promise<Record<string, number[]>> {
  const scores = await getCriterion(id).scoreGroups(ctx);
  return Object.fromEntries([...scores].map(([g, s]) => [ctx.graph.groups[g].producers[0], [...s]]));
}

describe('weight criteria on set weights', () => {
  it('l2: the Euclidean norm of each filter', async () => {
    const scores = await scoresOf('l2');
    expect(scores.a).toEqual([5, 1, 5]);
    expect(scores.b[0]).toBeCloseTo(Math.SQRT2, 6);
    expect(scores.b[1]).toBeCloseTo(Math.sqrt(14), 6);
  });

  it('fpgm: the summed distance from each filter to the others', async () => {
    const { a } = await scoresOf('fpgm');
    // (3,4)-(0,1): sqrt 18; (3,4)-(-3,-4): 10; (0,1)-(-3,-4): sqrt 34.
    const expected = [Math.sqrt(18) + 10, Math.sqrt(18) + Math.sqrt(34), 10 + Math.sqrt(34)];
    a.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
  });

  it('bn-scale: |gamma| of the following batch norm, L1 of the filters where none follows', async () => {
    const scores = await scoresOf('bn-scale');
    expect(scores.a).toEqual([0.5, 2, 1]);
    expect(scores.b).toEqual([2, 6]);
  });

  it('random: in [0, 1), the same for a seed, different for another', async () => {
    const first = await scoresOf('random', context(7));
    expect(await scoresOf('random', context(7))).toEqual(first);
    expect(await scoresOf('random', context(8))).not.toEqual(first);
    expect(first.a).toHaveLength(3);
    for (const v of [...first.a, ...first.b]) expect(v >= 0 && v < 1).toBe(true);
    // Each group draws from its own generator.
    expect(first.a[0]).not.toBe(first.b[0]);
  });

  it.each(['l2', 'fpgm', 'bn-scale', 'random'])('%s leaks no tensors and gives the same scores twice', async (id) => {
    const ctx = context();
    const before = tf.memory().numTensors;
    const first = await scoresOf(id, ctx);
    expect(await scoresOf(id, ctx)).toEqual(first);
    expect(tf.memory().numTensors).toBe(before);
  });
});
