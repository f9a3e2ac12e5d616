import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '../../../core/data/batches.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { cip, createCip } from '../../../core/importance/cip.js';
import { CIP_SPEC_SWITCHES } from '../../../core/api/run-options.js';
import { nisp } from '../../../core/importance/nisp.js';
import { buildCifarMobileNetV2 } from '../../../core/models/mobilenet-v2-cifar.js';
import { buildCifarVgg } from '../../../core/models/vgg-cifar.js';
import { randomiseBatchNorm } from '../prune/random-batch-norm.js';

// CIP-SPEC section 3's table, layer by layer: flatten -> dense, concatenation, depthwise, and the fallback.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomBatch(shape: [number, number, number, number], seed: number): Batch {
  const x = tf.randomNormal<tf.Rank.R4>(shape, 0, 1, 'float32', seed);
  return { x, y: tf.zeros([shape[0], 10]), size: shape[0] };
}

const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
const abs = (layer: tfl.layers.Layer, index = 0) => tf.tidy(() => tf.abs(layer.getWeights()[index]).arraySync());
const close = (values: ArrayLike<number>, digits = 4) => Array.from(values, (v) => expect.closeTo(v, digits));

describe('CIP through each kind of layer', () => {
  it('flatten -> dense: a channel gets the sum over its positions', async () => {
    const input = tfl.input({ shape: [4, 4, 2] });
    const conv = apply(tfl.layers.conv2d({ filters: 3, kernelSize: 3, name: 'conv' }), input); // 2x2 positions
    const model = tfl.model({ inputs: input, outputs: apply(tfl.layers.dense({ units: 2, name: 'fc' }), apply(tfl.layers.flatten({}), conv)) });
    const { writers } = await nisp.analyse({ model, graph: buildChannelGraph(model), seed: 0 });
    const w = abs(model.getLayer('fc')) as number[][]; // rows p * 3 + c
    const expected = [0, 1, 2].map((c) => [0, 1, 2, 3].reduce((s, p) => s + 0.5 * (w[p * 3 + c][0] + w[p * 3 + c][1]), 0));
    expect(Array.from(writers.get('conv')!.r)).toEqual(close(expected));
  });

  it('concatenation: each writer gets its own channel range of the message', async () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    const a = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'a' }), input);
    const b = apply(tfl.layers.conv2d({ filters: 6, kernelSize: 1, name: 'b' }), input);
    const c = apply(tfl.layers.conv2d({ filters: 5, kernelSize: 3, name: 'c' }), apply(tfl.layers.concatenate({ name: 'cat' }), [a, b]));
    const model = tfl.model({ inputs: input, outputs: apply(tfl.layers.dense({ units: 2, name: 'fc' }), apply(tfl.layers.globalAveragePooling2d({}), c)) });
    const { writers, relevance } = await cip.analyse({ model, graph: buildChannelGraph(model), calibration: [randomBatch([4, 6, 6, 3], 3)], seed: 0 });
    const joined = relevance.get('cat')!;
    expect(writers.get('a')!.r).toEqual(joined.slice(0, 4));
    expect(writers.get('b')!.r).toEqual(joined.slice(4));
    // Rows of P sum to 1: the message carries exactly the consumer's total importance.
    expect(joined.reduce((s, v) => s + v)).toBeCloseTo(
      writers.get('c')!.importance.reduce((s, v) => s + v),
      4,
    );
  });

  it('depthwise conv: P is diagonal, C_c = s_c ||W_c||_1 mu_c', async () => {
    const input = tfl.input({ shape: [5, 5, 2] });
    const a = apply(tfl.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false, name: 'a' }), input);
    const dw = apply(tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'dw' }), a);
    const dwBn = apply(tfl.layers.batchNormalization({ name: 'dw_bn' }), dw);
    const b = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false, name: 'b' }), apply(tfl.layers.reLU({}), dwBn));
    const model = tfl.model({ inputs: input, outputs: apply(tfl.layers.dense({ units: 2, name: 'fc' }), apply(tfl.layers.globalAveragePooling2d({}), b)) });
    randomiseBatchNorm(model, 4);
    const { writers, relevance } = await nisp.analyse({ model, graph: buildChannelGraph(model), seed: 0 });
    const [gamma, , , variance] = model
      .getLayer('dw_bn')
      .getWeights()
      .map((t) => t.arraySync() as number[]);
    const kernel = abs(model.getLayer('dw')) as number[][][][]; // [3, 3, 3, 1]
    const throughB = relevance.get('dw_bn')!; // what b sent to dw's output (BN is identity on importance)
    const expected = [0, 1, 2].map((c) => {
      const l1 = kernel.flat().reduce((s, tap) => s + tap[c][0], 0);
      return throughB[c] * l1 * (Math.abs(gamma[c]) / Math.sqrt(variance[c] + 1e-3));
    });
    expect(Array.from(writers.get('a')!.r)).toEqual(close(expected));
  });

  it('separable conv: input c reaches output d through ||dw_c||_1 |pw_{c,d}|; a sequential model works too', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 1, name: 'a' }),
        tfl.layers.separableConv2d({ filters: 4, kernelSize: 3, name: 'sep' }),
        tfl.layers.globalAveragePooling2d({}),
        tfl.layers.dense({ units: 2, name: 'fc' }),
      ],
    });
    const { writers } = await nisp.analyse({ model, graph: buildChannelGraph(model), seed: 0 });
    const depthwise = abs(model.getLayer('sep'), 0) as number[][][][]; // [3, 3, 3, 1]
    const pointwise = (abs(model.getLayer('sep'), 1) as number[][][][])[0][0]; // [3, 4]
    const importance = writers.get('sep')!.importance;
    const expected = [0, 1, 2].map((c) => depthwise.flat().reduce((s, tap) => s + tap[c][0], 0) * pointwise[c].reduce((s, w, d) => s + w * importance[d], 0));
    expect(Array.from(writers.get('a')!.r)).toEqual(close(expected));
  });

  it('falls back to the local score where a layer has no rule, and says so', async () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    const a = apply(tfl.layers.reLU({}), apply(tfl.layers.conv2d({ filters: 4, kernelSize: 3, name: 'a' }), input));
    const b = apply(tfl.layers.conv2d({ filters: 5, kernelSize: 1, name: 'b' }), a);
    const c = apply(tfl.layers.conv2d({ filters: 5, kernelSize: 1, name: 'c' }), a);
    const gated = apply(tfl.layers.multiply({ name: 'gate' }), [b, c]);
    const model = tfl.model({ inputs: input, outputs: apply(tfl.layers.dense({ units: 2, name: 'fc' }), apply(tfl.layers.globalAveragePooling2d({}), gated)) });
    const graph = buildChannelGraph(model);
    // CIP-SPEC's group rule (the writers' plain mean), which the expected scores below compute.
    const result = await createCip(CIP_SPEC_SWITCHES).analyse({ model, graph, calibration: [randomBatch([3, 6, 6, 3], 5)], seed: 0 });
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toMatch(/'gate' \(Multiply: no CIP rule for Multiply/);
    const coupled = graph.groups.find((g) => g.producers.includes('b'))!;
    expect(coupled.prunable).toBe(true);
    const [wb, wc] = [result.writers.get('b')!, result.writers.get('c')!];
    expect([wb.local, wc.local, result.writers.get('a')!.local]).toEqual([true, true, false]);
    const mean = (v: Float32Array) => v.reduce((s, x) => s + x) / v.length;
    const expected = Array.from(wb.a, (x, i) => (x / mean(wb.a) + wc.a[i] / mean(wc.a)) / 2);
    expect(Array.from(result.scores.get(coupled.id)!)).toEqual(close(expected));
    // Below the cut, propagation goes on from the writers' local scores.
    expect(result.writers.get('a')!.r.some((v) => v > 0)).toBe(true);
    // The same warnings reach a session through scoreGroups.
    const warned: string[] = [];
    await cip.scoreGroups({ model, graph, calibration: [randomBatch([3, 6, 6, 3], 5)], seed: 0, warn: (w) => warned.push(w) });
    expect(warned).toEqual(result.warnings);
  });

  it('scores every prunable group of MobileNetV2 and VGG-11 without a warning', async () => {
    for (const model of [buildCifarMobileNetV2({ inputShape: [8, 8, 3], numClasses: 10 }), buildCifarVgg(11, { inputShape: [32, 32, 3], numClasses: 10 })]) {
      const graph = buildChannelGraph(model);
      const [height, width, channels] = model.inputs[0].shape.slice(1) as number[];
      const result = await cip.analyse({ model, graph, calibration: [randomBatch([2, height, width, channels], 6)], seed: 0 });
      expect(result.warnings).toEqual([]);
      const prunable = graph.groups.filter((g) => g.prunable);
      expect(result.scores.size).toBe(prunable.length);
      for (const g of prunable) expect(result.scores.get(g.id)!.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    }
  });
});
