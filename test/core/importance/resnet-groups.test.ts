import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import type { Batch } from '../../../core/data/batches.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import type { ImportanceContext } from '../../../core/importance/criterion.js';
import { getCriterion } from '../../../core/importance/registry.js';
import { buildCifarResNet } from '../../../core/models/resnet-cifar.js';
import { randomiseBatchNorm } from '../prune/random-batch-norm.js';

/** The criteria of this folder's tests (CIP and NISP test themselves). */
const CRITERIA = ['l1', 'l2', 'group-l1', 'lamp', 'fpgm', 'bn-scale', 'random', 'activation-mean', 'apoz', 'hrank', 'taylor'];

let context: ImportanceContext;
let calibration: Batch;

// WebAssembly: the cpu backend takes about 25 s for one backward pass of ResNet-20 on two images.
beforeAll(async () => {
  await wasmCandidate.load();
  const model = buildCifarResNet(20, { inputShape: [32, 32, 3], numClasses: 10 });
  randomiseBatchNorm(model);
  calibration = {
    x: tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D,
    y: tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10), 'float32') as tf.Tensor2D),
    size: 2,
  };
  context = { model, graph: buildChannelGraph(model), seed: 1, calibration: [calibration] };
});

/** The residual stream of stage 1: the stem and the second conv of each block, joined by the adds. */
const stream = () => context.graph.groups.find((g) => g.producers.includes('stem_conv'))!;

describe('criteria on ResNet-20', () => {
  it.each(CRITERIA)('%s gives every prunable group one finite score per channel, and leaks nothing', async (id) => {
    const before = tf.memory().numTensors;
    const scores = await getCriterion(id).scoreGroups(context);
    expect(tf.memory().numTensors).toBe(before);
    const prunable = context.graph.groups.filter((g) => g.prunable);
    expect([...scores.keys()].sort((a, b) => a - b)).toEqual(prunable.map((g) => g.id));
    for (const group of prunable) {
      const values = scores.get(group.id)!;
      expect(values).toBeInstanceOf(Float32Array);
      expect(values).toHaveLength(group.channels);
      for (const v of values) expect(Number.isFinite(v) && v >= 0).toBe(true);
    }
    expect(stream().producers).toHaveLength(4);
  });

  it('scores the coupled stream as the mean over its members', async () => {
    const group = stream();
    const mean = (rows: ArrayLike<number>[]) => Array.from({ length: group.channels }, (_, c) => rows.reduce((s, r) => s + r[c], 0) / rows.length);
    const close = (actual: Float32Array, expected: number[]) => expected.forEach((v, c) => expect(actual[c]).toBeCloseTo(v, 4));

    const l2 = group.producers.map((name) =>
      tf.tidy(() => tf.norm(tf.reshape(context.model.getLayer(name).getWeights()[0], [-1, group.channels]), 'euclidean', 0).dataSync()),
    );
    close((await getCriterion('l2').scoreGroups(context)).get(group.id)!, mean(l2));

    expect(group.followers).toEqual(['stem_bn', 'stage1_block1_b_bn', 'stage1_block2_b_bn', 'stage1_block3_b_bn']);
    const gammas = group.followers.map((name) => (context.model.getLayer(name).getWeights()[0].dataSync() as Float32Array).map(Math.abs));
    close((await getCriterion('bn-scale').scoreGroups(context)).get(group.id)!, mean(gammas));

    // FPGM, by brute force on each producer's filters.
    const fpgm = group.producers.map((name) => {
      const kernel = context.model.getLayer(name).getWeights()[0];
      const w = kernel.dataSync();
      const fanIn = w.length / group.channels;
      return Array.from({ length: group.channels }, (_, i) => {
        let total = 0;
        for (let j = 0; j < group.channels; j++) {
          let d = 0;
          for (let k = 0; k < fanIn; k++) d += (w[k * group.channels + i] - w[k * group.channels + j]) ** 2;
          total += Math.sqrt(d);
        }
        return total;
      });
    });
    const fpgmScores = (await getCriterion('fpgm').scoreGroups(context)).get(group.id)!;
    fpgm[0].forEach((_, c) => expect(fpgmScores[c] / mean(fpgm)[c]).toBeCloseTo(1, 3));

    // Activations: the stream is read after the stem and after each block of stage 1.
    const readers = ['stem_relu', 'stage1_block1_relu', 'stage1_block2_relu', 'stage1_block3_relu'];
    const probe = tfl.model({ inputs: context.model.inputs, outputs: readers.map((name) => context.model.getLayer(name).output as tfl.SymbolicTensor) });
    const maps = tf.tidy(() => (probe.predict(calibration.x) as tf.Tensor[]).map((o) => tf.mean(tf.abs(o), [0, 1, 2]).dataSync()));
    close((await getCriterion('activation-mean').scoreGroups(context)).get(group.id)!, mean(maps));
  });

  it('group-l1 and lamp: every producer, batch norm and reading conv of the stream votes', async () => {
    const group = stream();
    const weightsOf = (name: string) => context.model.getLayer(name).getWeights()[0];
    // Producers: each output channel's filter (HWIO: channel c is every (channels)-th value from c).
    const filter = (name: string, c: number, p: number) => {
      const w = weightsOf(name).dataSync();
      let total = 0;
      for (let k = c; k < w.length; k += group.channels) total += Math.abs(w[k]) ** p;
      return total;
    };
    // Readers: each input channel's slice of a HWIO kernel.
    const slice = (name: string, c: number, p: number) => {
      const kernel = weightsOf(name);
      const [, , cin, cout] = kernel.shape;
      const w = kernel.dataSync();
      let total = 0;
      for (let k = 0; k < w.length; k++) if (Math.floor(k / cout) % cin === c) total += Math.abs(w[k]) ** p;
      return total;
    };
    const producers = ['stem_conv', 'stage1_block1_b_conv', 'stage1_block2_b_conv', 'stage1_block3_b_conv'];
    const norms = ['stem_bn', 'stage1_block1_b_bn', 'stage1_block2_b_bn', 'stage1_block3_b_bn'];
    const readers = ['stage1_block1_a_conv', 'stage1_block2_a_conv', 'stage1_block3_a_conv', 'stage2_block1_a_conv'];
    expect([...group.producers].sort()).toEqual([...producers].sort());
    const expected = (p: number) =>
      Array.from({ length: group.channels }, (_, c) => {
        const members = [
          ...producers.map((name) => filter(name, c, p)),
          ...norms.map((name) => Math.abs(weightsOf(name).dataSync()[c]) ** p),
          ...readers.map((name) => slice(name, c, p)),
        ];
        return members.reduce((a, b) => a + b, 0) / members.length;
      });
    for (const [id, p] of [
      ['group-l1', 1],
      ['lamp', 2],
    ] as const) {
      const scores = (await getCriterion(id).scoreGroups(context)).get(group.id)!;
      expected(p).forEach((v, c) => expect(scores[c] / v).toBeCloseTo(1, 4));
    }
  });

  it('random changes with the seed; the others depend only on weights and data', async () => {
    const other = { ...context, seed: 2 };
    expect(await getCriterion('random').scoreGroups(other)).not.toEqual(await getCriterion('random').scoreGroups(context));
    for (const id of ['fpgm', 'hrank', 'taylor']) {
      expect(await getCriterion(id).scoreGroups(other)).toEqual(await getCriterion(id).scoreGroups(context));
    }
  });
});
