import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildChannelGraph, type ChannelGraph } from '../../../core/graph/channel-graph.js';
import { l1Norm } from '../../../core/importance/l1-norm.js';
import { zooEntry } from '../../../core/models/zoo.js';
import { BudgetError, planPruning, planUniform } from '../../../core/prune/budget.js';
import type { GroupNormalisation } from '../../../core/importance/group-normalisation.js';
import { weightModel } from '../importance/tiny-models.js';

const graphs = new Map<string, { graph: ChannelGraph; scores: Map<number, Float32Array> }>();

beforeAll(async () => {
  await tf.setBackend('cpu');
  for (const id of ['resnet56', 'vgg16']) {
    const model = zooEntry(id).build({ inputShape: [32, 32, 3], numClasses: 10 });
    const graph = buildChannelGraph(model);
    graphs.set(id, { graph, scores: await l1Norm.scoreGroups({ model, graph, seed: 1 }) });
    model.dispose();
  }
});

const cut = (plan: ReturnType<typeof planPruning>, metric: 'flops' | 'params') => 1 - plan.achieved[metric] / plan.baseline[metric];

describe('budgets on the published networks', () => {
  it.each([
    ['resnet56', 'flops', 0.5],
    ['resnet56', 'params', 0.4],
    ['vgg16', 'flops', 0.66],
    ['vgg16', 'params', 0.8],
  ] as const)('%s: a %s cut of %s is met within 1%', (id, metric, reduction) => {
    const { graph, scores } = graphs.get(id)!;
    for (const plan of [planPruning(graph, scores, { metric, reduction }), planUniform(graph, scores, { metric, reduction })]) {
      expect(cut(plan, metric)).toBeGreaterThanOrEqual(reduction);
      expect(cut(plan, metric)).toBeLessThan(reduction + 0.01);
    }
  });

  it('uniform pruning honours rounding and protection', () => {
    const { graph, scores } = graphs.get('resnet56')!;
    const plan = planUniform(graph, scores, { metric: 'flops', reduction: 0.5, roundTo: 8 });
    for (const [group, kept] of plan.keep) expect(kept.length % 8 === 0 || kept.length === graph.groups[group].channels).toBe(true);
    expect(cut(plan, 'flops')).toBeGreaterThanOrEqual(0.5);
    // Keeping 80% of every group's channels keeps at least 64% of the FLOPs.
    expect(() => planUniform(graph, scores, { metric: 'flops', reduction: 0.5, protect: 0.8 })).toThrow(BudgetError);
  });

  it('rounds kept channels to a multiple and still meets the target', () => {
    const { graph, scores } = graphs.get('resnet56')!;
    const plan = planPruning(graph, scores, { metric: 'flops', reduction: 0.5, roundTo: 8 });
    for (const [group, kept] of plan.keep) expect(kept.length % 8 === 0 || kept.length === graph.groups[group].channels).toBe(true);
    expect(cut(plan, 'flops')).toBeGreaterThanOrEqual(0.5);
    expect(cut(plan, 'flops')).toBeLessThan(0.52);
  });

  it('keeps hand-set ratios and searches the rest', () => {
    const { graph, scores } = graphs.get('vgg16')!;
    const first = graph.groups.find((g) => g.producers.includes('conv1'))!;
    const plan = planPruning(graph, scores, { metric: 'flops', reduction: 0.5, fixedRatios: new Map([[first.id, 0.25]]) });
    expect(plan.keep.get(first.id)!.length).toBe(48);
    expect(cut(plan, 'flops')).toBeGreaterThanOrEqual(0.5);
    expect(cut(plan, 'flops')).toBeLessThan(0.51);
  });
});

describe('group normalisation before the global threshold', () => {
  // Two prunable groups of the tiny weight model: conv a's (3 channels) and conv b's (2 channels).
  const model = weightModel();
  const graph = buildChannelGraph(model);
  const group = (name: string) => graph.groups.find((g) => g.producers.includes(name))!.id;
  const scores = new Map([
    [group('a'), Float32Array.from([1, 1.05, 4])],
    [group('b'), Float32Array.from([0.9, 3.1])],
  ]);
  const removed = (normalisation: GroupNormalisation) => {
    const plan = planPruning(graph, scores, { metric: 'flops', reduction: 0.01, protect: 0, normalisation });
    return [...plan.keep].flatMap(([g, kept]) =>
      Array.from({ length: graph.groups[g].channels }, (_, c) => c)
        .filter((c) => !kept.includes(c))
        .map((c) => `${graph.groups[g].producers[0]}${c}`),
    );
  };

  // A 1% cut removes exactly the one lowest normalised channel: by mean b0 (0.9 / 2 = 0.45 < 1 / 2.02), by max a0
  // (1 / 4 = 0.25 < 0.9 / 3.1 = 0.29), by LAMP a0 (1 / 6.05 < 0.9 / 4), as they are b0 (0.9 < 1).
  it.each([
    ['mean', ['b0']],
    ['max', ['a0']],
    ['sum', ['a0']],
    ['lamp', ['a0']],
    ['none', ['b0']],
  ] as const)('%s removes %j', (normalisation, expected) => {
    expect(graph.groups[group('a')].prunable && graph.groups[group('b')].prunable).toBe(true);
    expect(removed(normalisation)).toEqual(expected);
  });

  it('the mean is the default', () => {
    const plan = planPruning(graph, scores, { metric: 'flops', reduction: 0.01, protect: 0 });
    expect([...plan.keep.keys()]).toEqual([group('b')]);
  });
});
