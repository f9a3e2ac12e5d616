import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '../../../core/data/batches.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { cip, createCip } from '../../../core/importance/cip.js';
import { CIP_SPEC_SWITCHES } from '../../../core/api/run-options.js';
import { nisp } from '../../../core/importance/nisp.js';
import { buildCifarResNet } from '../../../core/models/resnet-cifar.js';
import { getCriterion } from '../../../core/importance/registry.js';
import { planPruning } from '../../../core/prune/budget.js';
import { applyChannelMask } from '../../../core/prune/channel-mask.js';
import { randomiseBatchNorm } from '../prune/random-batch-norm.js';

/** The checks follow CIP-SPEC, whose switches Pruneflow's defaults change in part. */
const specCip = createCip(CIP_SPEC_SWITCHES);

// CIP-SPEC section 8, checks 1-3: the ones that concern the criterion itself.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomBatch(shape: [number, number, number, number], seed: number): Batch {
  const x = tf.randomNormal<tf.Rank.R4>(shape, 0, 1, 'float32', seed);
  return { x, y: tf.zeros([shape[0], 10]), size: shape[0] };
}

function setKernel(model: tfl.LayersModel, name: string, values: number[][], shape: number[]): void {
  const kernel = tf.tensor(values.flat(), shape);
  model.getLayer(name).setWeights([kernel]);
  kernel.dispose();
}

/** |W|^T s for a kernel given as rows (input channel) x columns (output channel), taps summed. */
function transposedAbs(rows: number[][], s: ArrayLike<number>): number[] {
  return rows.map((row) => row.reduce((sum, w, d) => sum + Math.abs(w) * s[d], 0));
}

const W1 = [
  [0.5, -1, 2, 0.1],
  [1.5, 0.2, -0.3, 1],
  [-2, 0.4, 0.6, -0.7],
];
const W2 = [
  [1, -2, 0.5],
  [-0.25, 0.75, 3],
  [2, 1, -1],
  [0.1, -0.6, 0.3],
];
const W3 = [
  [1, -3],
  [0.5, 2],
  [-1.5, 0.25],
];

describe('CIP-SPEC check 1: NISP equivalence', () => {
  it('gives r = |W2|^T s2 layer by layer on a linear dense net', async () => {
    const input = tfl.input({ shape: [3] });
    let x = input;
    for (const [name, units] of [
      ['d1', 4],
      ['d2', 3],
      ['d3', 2],
    ] as const)
      x = tfl.layers.dense({ units, useBias: false, name }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: x });
    setKernel(model, 'd1', W1, [3, 4]);
    setKernel(model, 'd2', W2, [4, 3]);
    setKernel(model, 'd3', W3, [3, 2]);
    const graph = buildChannelGraph(model);
    const { writers, scores } = await nisp.analyse({ model, graph, seed: 0 });

    // Head: s3 = 1/K. Then s2 = |W3|^T s3 and s1 = |W2|^T s2 (each I = r / mean(r) with alpha = 1).
    const r2 = transposedAbs(W3, [0.5, 0.5]);
    expect(Array.from(writers.get('d2')!.r)).toEqual(r2.map((v) => expect.closeTo(v, 5)));
    const s2 = writers.get('d2')!.importance;
    const mean2 = r2.reduce((a, b) => a + b) / 3;
    expect(Array.from(s2)).toEqual(r2.map((v) => expect.closeTo(v / mean2, 5)));
    const r1 = transposedAbs(W2, s2);
    expect(Array.from(writers.get('d1')!.r)).toEqual(r1.map((v) => expect.closeTo(v, 5)));
    const group1 = graph.groups.find((g) => g.producers.includes('d1'))!;
    const mean1 = r1.reduce((a, b) => a + b) / 4;
    expect(Array.from(scores.get(group1.id)!)).toEqual(r1.map((v) => expect.closeTo(v / mean1, 5)));
  });

  it('sums the kernel window of a conv: ||W_{d,c}||_1', async () => {
    const input = tfl.input({ shape: [4, 4, 2] });
    const a = tfl.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false, name: 'a' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.conv2d({ filters: 2, kernelSize: 2, useBias: false, name: 'b' }).apply(a) as tfl.SymbolicTensor;
    const out = tfl.layers
      .dense({ units: 2, useBias: false, name: 'fc' })
      .apply(tfl.layers.globalAveragePooling2d({}).apply(b) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const kernel = model.getLayer('b').getWeights()[0]; // [2, 2, 3, 2]
    const taps = tf.tidy(() => tf.sum(tf.abs(kernel), [0, 1]).arraySync() as number[][]);
    const graph = buildChannelGraph(model);
    const { writers } = await nisp.analyse({ model, graph, seed: 0 });
    const expected = transposedAbs(taps, writers.get('b')!.importance);
    expect(Array.from(writers.get('a')!.r)).toEqual(expected.map((v) => expect.closeTo(v, 4)));
  });
});

describe('CIP-SPEC checks 2 and 3 on ResNet-20', () => {
  const model = buildCifarResNet(20, { inputShape: [16, 16, 3], numClasses: 10, seed: 2 });
  randomiseBatchNorm(model, 5);
  const graph = buildChannelGraph(model);
  const calibration = [randomBatch([8, 16, 16, 3], 7)];

  it('check 2: a residual branch F = 0 gets no importance; the shortcut gets all of it', async () => {
    const before = await specCip.analyse({ model, graph, calibration, seed: 0 });
    for (const block of ['stage1_block2', 'stage2_block1']) {
      expect(before.writers.get(`${block}_b_conv`)!.r.some((v) => v > 0)).toBe(true);
      // gamma = beta = 0 on the branch's last batch norm: F(x) = 0 whatever x.
      const norm = model.getLayer(`${block}_b_bn`);
      const [gamma, beta, ...moving] = norm.getWeights();
      norm.setWeights([tf.zerosLike(gamma), tf.zerosLike(beta), ...moving]);
    }
    const after = await specCip.analyse({ model, graph, calibration, seed: 0 });
    for (const block of ['stage1_block2', 'stage2_block1']) {
      const [branch, shortcut] = after.splits.get(`${block}_add`)!;
      const total = after.relevance.get(`${block}_add`)!;
      expect(total.some((v) => v > 0)).toBe(true);
      expect(Array.from(branch)).toEqual(Array.from(total, () => 0));
      expect(shortcut).toEqual(total);
      const writer = after.writers.get(`${block}_b_conv`)!;
      expect(Math.max(...writer.r, ...writer.importance)).toBe(0);
      // Nothing flows back into the branch's inner conv either: its consumer's fold s_d is 0.
      expect(Math.max(...after.writers.get(`${block}_a_conv`)!.r)).toBe(0);
    }
    expect(after.warnings).toEqual([]);
  });

  it("writerSpread: a stream's mean over writers is stretched to the writers' mean spread; one-writer groups unchanged", async () => {
    const plain = await specCip.analyse({ model, graph, calibration, seed: 0 });
    const spread = await createCip({ ...CIP_SPEC_SWITCHES, writerSpread: true }).analyse({ model, graph, calibration, seed: 0 });
    const stats = (v: ArrayLike<number>) => {
      const mean = Array.from(v).reduce((a, b) => a + b, 0) / v.length;
      return { mean, std: Math.sqrt(Array.from(v).reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
    };
    for (const group of graph.groups.filter((g) => g.prunable)) {
      const before = plain.scores.get(group.id)!;
      const after = spread.scores.get(group.id)!;
      if (group.producers.length === 1) {
        expect(Array.from(after)).toEqual(Array.from(before));
        continue;
      }
      const writers = group.producers.map((p) => stats(plain.writers.get(p)!.importance).std);
      const target = writers.reduce((a, b) => a + b, 0) / writers.length;
      // Averaging writers that disagree narrows the spread; the switch stretches it back about the mean (floored at 0).
      expect(stats(before).std).toBeLessThan(target);
      const { mean, std } = stats(before);
      expect(Array.from(after)).toEqual(Array.from(before, (x) => expect.closeTo(Math.max(0, mean + ((x - mean) * target) / std), 5)));
      if (after.every((x) => x > 0)) expect(stats(after).std).toBeCloseTo(target, 4);
    }
  });

  it("check 3: one score vector per coupled group, the mean over its writers (CIP-SPEC's rule), and one mask for all members", async () => {
    // Pruneflow's default stretches the writers' mean (writerSpread, the test above); the spec's rule is the plain mean.
    const { scores, writers } = await specCip.analyse({ model, graph, calibration, seed: 0 });
    const prunable = graph.groups.filter((g) => g.prunable);
    expect([...scores.keys()].sort((a, b) => a - b)).toEqual(prunable.map((g) => g.id));
    const stream = prunable.find((g) => g.producers.includes('stem_conv'))!;
    expect(stream.producers).toHaveLength(4);
    for (const group of prunable) {
      const score = scores.get(group.id)!;
      expect(score).toHaveLength(group.channels);
      const mean = Array.from(score, (_, c) => group.producers.reduce((s, p) => s + writers.get(p)!.importance[c], 0) / group.producers.length);
      expect(Array.from(score)).toEqual(mean.map((v) => expect.closeTo(v, 5)));
    }
    // Keep the upper half of each group by its score; every layer reading the stream silences the same channels.
    const keep = new Map(
      prunable.map((g) => {
        const order = Array.from(scores.get(g.id)!.keys()).sort((a, b) => scores.get(g.id)![b] - scores.get(g.id)![a]);
        return [g.id, Int32Array.from(order.slice(0, g.channels / 2)).sort()];
      }),
    );
    const masked = buildCifarResNet(20, { inputShape: [16, 16, 3], numClasses: 10, seed: 2 });
    randomiseBatchNorm(masked, 5);
    applyChannelMask(masked, graph, keep);
    const readers = graph.layers.filter((l) => ['Conv2D', 'Dense'].includes(l.className) && l.inputs.length === 1 && l.inputs[0].group === stream.id);
    // Input channel c of a reader is silenced when its kernel's slice for c (axis in of [kh, kw, in, out] or [in, out]) is all zero.
    const silenced = readers.map((ports) => {
      const kernel = masked.getLayer(ports.name).getWeights()[0];
      const [inAxis, values] = [kernel.shape.length - 2, kernel.dataSync()];
      const inputs = kernel.shape[inAxis];
      const outputs = kernel.shape[inAxis + 1];
      return Array.from({ length: inputs }, (_, c) => values.every((v, i) => Math.floor(i / outputs) % inputs !== c || v === 0));
    });
    expect(silenced.length).toBeGreaterThan(1);
    for (const mask of silenced) expect(mask).toEqual(silenced[0]);
    expect(silenced[0].filter(Boolean)).toHaveLength(stream.channels / 2);
  });
});

describe('kernelWidths on ResNet-20', () => {
  const model = buildCifarResNet(20, { inputShape: [16, 16, 3], numClasses: 10, seed: 4 });
  randomiseBatchNorm(model, 6);
  const graph = buildChannelGraph(model);
  const context = { model, graph, calibration: [randomBatch([8, 16, 16, 3], 9)], seed: 0 };
  const target = { metric: 'flops', reduction: 0.6 } as const;
  const counts = (keep: Map<number, Int32Array>) => new Map([...keep].map(([g, k]) => [g, k.length]));

  it("keeps group-l1's channel count in every group, and in each the channels CIP ranks highest", async () => {
    const own = await createCip().scoreGroups(context);
    const scores = await createCip({ kernelWidths: true }).scoreGroups(context);
    const groupL1 = planPruning(graph, await getCriterion('group-l1').scoreGroups(context), target).keep;
    const plan = planPruning(graph, scores, target).keep;
    expect(counts(plan)).toEqual(counts(groupL1));
    // CIP's own plan cuts the groups differently: the switch changed the widths.
    expect(counts(planPruning(graph, own, target).keep)).not.toEqual(counts(groupL1));
    let differs = false;
    for (const [group, kept] of plan) {
      const byCip = Array.from(own.get(group)!.keys()).sort((a, b) => own.get(group)![b] - own.get(group)![a]);
      expect(Array.from(kept)).toEqual(byCip.slice(0, kept.length).sort((a, b) => a - b));
      differs ||= Array.from(kept).join() !== Array.from(groupL1.get(group)!).join();
    }
    // Which channels go is CIP's choice, not group-l1's.
    expect(differs).toBe(true);
  });
});
