import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildChannelGraph, maskedCost } from '../../../core/graph/channel-graph.js';
import { l1Norm } from '../../../core/importance/l1-norm.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { countFlops } from '../../../core/models/model-cost.js';
import { planPruning } from '../../../core/prune/budget.js';
import { pruneModel } from '../../../core/prune/surgery.js';
import { applyChannelMask as applyMask } from '../../../core/prune/channel-mask.js';
import { randomiseBatchNorm } from './random-batch-norm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('surgery', () => {
  it('removes channels physically and reproduces the masked network', async () => {
    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 5 });
    randomiseBatchNorm(model);
    const graph = buildChannelGraph(model);
    const scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
    const plan = planPruning(graph, scores, { metric: 'flops', reduction: 0.5 });
    const pruned = await pruneModel(model, graph, plan.keep);

    expect(countFlops(pruned)).toBe(plan.achieved.flops);
    expect(pruned.countParams()).toBe(plan.achieved.params);
    expect(pruned.countParams()).toBeLessThan(model.countParams());

    const x = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 11);
    const prunedOut = pruned.predict(x) as tf.Tensor;
    applyMask(model, graph, plan.keep);
    const maskedOut = model.predict(x) as tf.Tensor;
    expect(maxAbsDiff(prunedOut, maskedOut)).toBeLessThan(1e-4);
  });

  it('slices a dense layer fed by a flatten in channels-last order', async () => {
    const input = tfl.input({ shape: [5, 5, 2] });
    const conv = tfl.layers.conv2d({ filters: 6, kernelSize: 3, name: 'conv', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten().apply(conv) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3, name: 'fc' }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const graph = buildChannelGraph(model);
    const group = graph.groups.find((g) => g.producers.includes('conv'))!;
    const keep = new Map([[group.id, Int32Array.of(0, 2, 5)]]);
    const pruned = await pruneModel(model, graph, keep);
    expect(pruned.getLayer('fc').getWeights()[0].shape).toEqual([9 * 3, 3]);
    const x = tf.randomNormal([2, 5, 5, 2], 0, 1, 'float32', 2);
    const prunedOut = pruned.predict(x) as tf.Tensor;
    applyMask(model, graph, keep);
    expect(maxAbsDiff(prunedOut, model.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('refuses to prune a group that is not prunable, naming it', async () => {
    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10 });
    const graph = buildChannelGraph(model);
    const output = graph.groups.find((g) => g.producers.includes('fc'))!;
    await expect(pruneModel(model, graph, new Map([[output.id, Int32Array.of(0, 1)]]))).rejects.toThrow(/cannot be pruned: model output 'fc'/);
  });
});

describe('budget', () => {
  const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 9 });
  const graph = buildChannelGraph(model);
  let scores: Map<number, Float32Array>;
  beforeAll(async () => {
    scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
  });

  it.each([0.3, 0.5, 0.7])('meets a FLOPs cut of %s within one percent', (reduction) => {
    const plan = planPruning(graph, scores, { metric: 'flops', reduction });
    const cut = 1 - plan.achieved.flops / plan.baseline.flops;
    expect(cut).toBeGreaterThanOrEqual(reduction);
    expect(cut).toBeLessThan(reduction + 0.01);
  });

  it('meets a parameter cut within 1%', () => {
    const plan = planPruning(graph, scores, { metric: 'params', reduction: 0.4 });
    const cut = 1 - plan.achieved.params / plan.baseline.params;
    expect(cut).toBeGreaterThanOrEqual(0.4);
    expect(cut).toBeLessThan(0.41);
    expect(plan.achieved).toEqual(maskedCost(graph, new Map([...plan.keep].map(([g, k]) => [g, k.length]))));
  });

  it('keeps at least 10% of every group', () => {
    const plan = planPruning(graph, scores, { metric: 'flops', reduction: 0.9, protect: 0.1 });
    for (const [group, kept] of plan.keep) expect(kept.length).toBeGreaterThanOrEqual(Math.ceil(graph.groups[group].channels * 0.1));
  });

  it('says when the target cannot be reached', () => {
    expect(() => planPruning(graph, scores, { metric: 'flops', reduction: 0.999 })).toThrow(/cannot be reached while keeping 10%/);
  });
});
