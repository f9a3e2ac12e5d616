import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '../../../core/data/batches.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { cip, createCip } from '../../../core/importance/cip.js';
import { CIP_SPEC_SWITCHES } from '../../../core/api/run-options.js';
import { nisp } from '../../../core/importance/nisp.js';
import { GroupedConv2D } from '../../../core/models/io/onnx/onnx-layers.js';
import { randomiseBatchNorm } from '../prune/random-batch-norm.js';

/** CIP-SPEC's switches: the hand-computed expectations follow them. */
const specCip = createCip(CIP_SPEC_SWITCHES);

// CIP-SPEC section 3 through grouped and depthwise convolutions: a grouped conv is a writer whose P is
// block-diagonal (output d of conv group g reads that group's inputs only); a depthwise conv with a channel
// multiplier m sends each input channel the sum over its m outputs.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
const abs = (layer: tfl.layers.Layer, index = 0) => tf.tidy(() => tf.abs(layer.getWeights()[index]).arraySync());
const close = (values: ArrayLike<number>, digits = 4) => Array.from(values, (v) => expect.closeTo(v, digits));

function randomBatch(shape: [number, number, number, number], seed: number): Batch {
  const x = tf.randomNormal<tf.Rank.R4>(shape, 0, 1, 'float32', seed);
  return { x, y: tf.zeros([shape[0], 10]), size: shape[0] };
}

const grouped = (name: string, filters: number, groups: number) =>
  new GroupedConv2D({ name, filters, kernelSize: [3, 3], strides: [1, 1], dilationRate: [1, 1], padding: 'same', groups, useBias: false });

/** conv a (4) -> grouped conv g (2 groups, 6 filters) or its plain equivalent -> BN -> ReLU -> GAP -> dense. */
function net(plain: boolean): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 2] });
  const a = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'a', activation: 'relu' }), input);
  const g = plain ? apply(tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', useBias: false, name: 'g' }), a) : apply(grouped('g', 6, 2), a);
  const bn = apply(tfl.layers.batchNormalization({ name: 'bn' }), g);
  const pooled = apply(tfl.layers.globalAveragePooling2d({}), apply(tfl.layers.reLU({}), bn));
  return tfl.model({ inputs: input, outputs: apply(tfl.layers.dense({ units: 3, name: 'fc' }), pooled) });
}

describe('CIP through grouped convolutions', () => {
  it('NISP by hand: input channel c of a grouped conv hears only the outputs of its own conv group', async () => {
    const model = net(false);
    randomiseBatchNorm(model, 2);
    const { writers, warnings } = await nisp.analyse({ model, graph: buildChannelGraph(model), seed: 0 });
    expect(warnings).toEqual([]);
    const kernel = abs(model.getLayer('g')) as number[][][][]; // [3, 3, 2, 6]: input c is row c % 2 of group floor(c / 2)
    const [gamma, , , variance] = model
      .getLayer('bn')
      .getWeights()
      .map((t) => t.arraySync() as number[]);
    const importance = writers.get('g')!.importance;
    const expected = [0, 1, 2, 3].map((c) => {
      const group = Math.floor(c / 2);
      let r = 0;
      for (let d = group * 3; d < group * 3 + 3; d++) {
        const l1 = kernel.flat().reduce((s, tap) => s + tap[c % 2][d], 0);
        r += (Math.abs(gamma[d]) / Math.sqrt(variance[d] + 1e-3)) * l1 * importance[d];
      }
      return r;
    });
    expect(Array.from(writers.get('a')!.r)).toEqual(close(expected));
  });

  it('gives the scores of the plain convolution with a block-diagonal kernel (the same function)', async () => {
    const groupedNet = net(false);
    randomiseBatchNorm(groupedNet, 5);
    const plainNet = net(true);
    const [kernel] = groupedNet.getLayer('g').getWeights();
    const full = tf.tidy(() => {
      const [k0, k1] = tf.split(kernel, 2, 3); // [3, 3, 2, 3] each: group 0's and group 1's filters
      const zeros = tf.zerosLike(k0);
      return tf.concat([tf.concat([k0, zeros], 2), tf.concat([zeros, k1], 2)], 3); // [3, 3, 4, 6]
    });
    for (const layer of plainNet.layers) {
      if (layer.name === 'g') layer.setWeights([full]);
      else if (layer.weights.length > 0) layer.setWeights(groupedNet.getLayer(layer.name).getWeights());
    }
    full.dispose();
    const x = tf.randomNormal<tf.Rank.R4>([2, 6, 6, 2], 0, 1, 'float32', 4);
    const outputs = [groupedNet, plainNet].map((m) => (m.predict(x) as tf.Tensor).dataSync());
    expect(Array.from(outputs[0])).toEqual(close(outputs[1], 5));
    x.dispose();

    const calibration = [randomBatch([4, 6, 6, 2], 8)];
    const [ofGrouped, ofPlain] = await Promise.all(
      [groupedNet, plainNet].map((model) => specCip.analyse({ model, graph: buildChannelGraph(model), calibration, seed: 0 })),
    );
    expect(ofGrouped.warnings).toEqual([]);
    for (const name of ['a', 'g']) {
      expect(Array.from(ofGrouped.writers.get(name)!.importance)).toEqual(close(ofPlain.writers.get(name)!.importance));
      expect(Array.from(ofGrouped.writers.get(name)!.r)).toEqual(close(ofPlain.writers.get(name)!.r));
    }
    // Every prunable group is scored, the grouped conv's own output group included.
    const graph = buildChannelGraph(groupedNet);
    const prunable = graph.groups.filter((g) => g.prunable).map((g) => g.id);
    expect([...ofGrouped.scores.keys()].sort()).toEqual(prunable.sort());
  });
});

describe('CIP through a depthwise conv with a channel multiplier', () => {
  it('input channel c gets the sum over its m outputs of r_d s_d ||W_{c,j}||_1 (NISP by hand)', async () => {
    const input = tfl.input({ shape: [5, 5, 2] });
    const a = apply(tfl.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false, name: 'a' }), input);
    const dw = apply(tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false, name: 'dw' }), a);
    const dwBn = apply(tfl.layers.batchNormalization({ name: 'dw_bn' }), dw);
    const b = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false, name: 'b' }), apply(tfl.layers.reLU({}), dwBn));
    const model = tfl.model({ inputs: input, outputs: apply(tfl.layers.dense({ units: 2, name: 'fc' }), apply(tfl.layers.globalAveragePooling2d({}), b)) });
    randomiseBatchNorm(model, 4);
    const graph = buildChannelGraph(model);
    expect(graph.groups.find((g) => g.producers.includes('a'))!.prunable).toBe(true);
    const { writers, relevance, warnings } = await nisp.analyse({ model, graph, seed: 0 });
    expect(warnings).toEqual([]);
    const [gamma, , , variance] = model
      .getLayer('dw_bn')
      .getWeights()
      .map((t) => t.arraySync() as number[]);
    const kernel = abs(model.getLayer('dw')) as number[][][][]; // [3, 3, 3, 2]: output c * 2 + j
    const throughB = relevance.get('dw_bn')!; // 6 values, what b sent to dw's output
    expect(throughB).toHaveLength(6);
    const expected = [0, 1, 2].map((c) =>
      [0, 1].reduce((sum, j) => {
        const d = c * 2 + j;
        const l1 = kernel.flat().reduce((s, tap) => s + tap[c][j], 0);
        return sum + throughB[d] * l1 * (Math.abs(gamma[d]) / Math.sqrt(variance[d] + 1e-3));
      }, 0),
    );
    expect(Array.from(writers.get('a')!.r)).toEqual(close(expected));
  });
});
