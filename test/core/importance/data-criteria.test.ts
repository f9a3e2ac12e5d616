import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { CalibrationRequiredError, type ImportanceContext } from '../../../core/importance/criterion.js';
import { getCriterion } from '../../../core/importance/registry.js';
import { activationModel, batchOf, disposeBatches, FC_KERNEL, IMAGES, setWeights } from './tiny-models.js';

const DATA_CRITERIA = ['activation-mean', 'apoz', 'hrank', 'taylor'];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function scoreA(id: string, ctx: ImportanceContext): Promise<number[]> {
  const scores = await getCriterion(id).scoreGroups(ctx);
  expect([...scores.keys()]).toEqual([ctx.graph.groups.find((g) => g.producers.includes('a'))!.id]);
  return [...scores.values().next().value!];
}

function tinyContext(): ImportanceContext {
  const model = activationModel();
  return { model, graph: buildChannelGraph(model), seed: 1, calibration: [batchOf(IMAGES, [0, 1], [2, 2, 1])] };
}

describe('data criteria on a one-conv model (channel 0 = relu(x), channel 1 = relu(-x))', () => {
  // Image 1: channel 0 [[1, 0], [3, 0]], channel 1 [[0, 2], [0, 0]]. Image 2: [[1, 0], [0, 2]] and zeros.
  it.each([
    { id: 'activation-mean', expected: [(1 + 0.75) / 2, (0.5 + 0) / 2] },
    { id: 'apoz', expected: [(0.5 + 0.5) / 2, (0.25 + 0) / 2] },
    { id: 'hrank', expected: [(1 + 2) / 2, (1 + 0) / 2] },
  ])('$id', async ({ id, expected }) => {
    const ctx = tinyContext();
    const scores = await scoreA(id, ctx);
    scores.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    disposeBatches([...ctx.calibration!]);
  });

  it('taylor: |sum of a * dL/da| per image, averaged', async () => {
    // GAP then fc: dL/da_c(h, w) = (1/4) sum_k W[c][k] (p_k - y_k), so the sum over positions is g_c * that sum.
    const pooled = [
      [1, 0.5],
      [0.75, 0],
    ];
    const labels = [0, 1];
    const expected = [0, 0];
    pooled.forEach((g, n) => {
      const z = [0, 1].map((k) => g[0] * FC_KERNEL[0][k] + g[1] * FC_KERNEL[1][k]);
      const e = z.map(Math.exp);
      const p = e.map((v) => v / (e[0] + e[1]));
      for (const c of [0, 1]) {
        const dg = [0, 1].reduce((s, k) => s + FC_KERNEL[c][k] * (p[k] - (labels[n] === k ? 1 : 0)), 0);
        expected[c] += Math.abs(g[c] * dg) / 2;
      }
    });
    const ctx = tinyContext();
    const scores = await scoreA('taylor', ctx);
    scores.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    disposeBatches([...ctx.calibration!]);
  });

  it.each(DATA_CRITERIA)('%s needs calibration data', async (id) => {
    const model = activationModel();
    const graph = buildChannelGraph(model);
    await expect(getCriterion(id).scoreGroups({ model, graph, seed: 1 })).rejects.toThrow(CalibrationRequiredError);
    await expect(getCriterion(id).scoreGroups({ model, graph, seed: 1, calibration: [] })).rejects.toThrow(/needs calibration batches/);
  });
});

/**
 * A residual model: x -> conv 'a' -> ReLU 'r1' -> conv 'b' -> add(b, r1) -> ReLU 'r2' -> GAP -> fc.
 * The add couples 'a' and 'b' into one group, read as r1 (by 'b') and r2 (by fc).
 */
function residualModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [3, 3, 2], name: 'image' });
  const a = tfl.layers.conv2d({ filters: 3, kernelSize: 1, name: 'a' }).apply(input) as tfl.SymbolicTensor;
  const r1 = tfl.layers.reLU({ name: 'r1' }).apply(a) as tfl.SymbolicTensor;
  const b = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'b' }).apply(r1) as tfl.SymbolicTensor;
  const sum = tfl.layers.add({ name: 'add' }).apply([b, r1]) as tfl.SymbolicTensor;
  const r2 = tfl.layers.reLU({ name: 'r2' }).apply(sum) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(r2) as tfl.SymbolicTensor;
  const fc = tfl.layers.dense({ units: 2, name: 'fc', kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }).apply(gap) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: fc });
  setWeights(model, 'a', [tf.randomNormal([1, 1, 2, 3], 0, 1, 'float32', 2), tf.tensor1d([0.1, -0.2, 0.3])]);
  setWeights(model, 'b', [tf.randomNormal([3, 3, 3, 3], 0, 0.5, 'float32', 3), tf.tensor1d([0, 0.1, -0.1])]);
  return model;
}

describe('data criteria on a residual stream', () => {
  it('taylor sums both paths of the shortcut and averages the two readings of the group', async () => {
    const model = residualModel();
    const graph = buildChannelGraph(model);
    const group = graph.groups.find((g) => g.producers.includes('a'))!;
    expect(group.producers).toEqual(['a', 'b']);
    const batch = batchOf(
      Array.from({ length: 3 }, (_, n) => Array.from({ length: 18 }, (_, i) => Math.sin(n * 18 + i * 1.7))),
      [0, 1, 1],
      [3, 3, 2],
    );
    const scores = await getCriterion('taylor').scoreGroups({ model, graph, seed: 1, calibration: [batch] });

    // The same network written out with raw ops, gated at r1 and r2.
    const w = (name: string) => model.getLayer(name).getWeights();
    const expected = tf.tidy(() => {
      const [aK, aB] = w('a');
      const [bK, bB] = w('b');
      const [fK, fB] = w('fc');
      const grads = tf.grads((g1: tf.Tensor, g2: tf.Tensor) => {
        const r1 = tf.mul(tf.relu(tf.add(tf.conv2d(batch.x, aK as tf.Tensor4D, 1, 'valid'), aB)), g1) as tf.Tensor4D;
        const r2 = tf.mul(tf.relu(tf.add(tf.add(tf.conv2d(r1, bK as tf.Tensor4D, 1, 'same'), bB), r1)), g2);
        const logits = tf.add(tf.matMul(tf.mean(r2, [1, 2]), fK), fB);
        return tf.losses.softmaxCrossEntropy(batch.y, logits, undefined, undefined, tf.Reduction.SUM);
      })([tf.ones([3, 1, 1, 3]), tf.ones([3, 1, 1, 3])]);
      return tf.div(tf.add(tf.mean(tf.abs(grads[0]), [0, 1, 2]), tf.mean(tf.abs(grads[1]), [0, 1, 2])), 2).dataSync();
    });
    [...scores.get(group.id)!].forEach((v, c) => expect(v).toBeCloseTo(expected[c], 5));
    disposeBatches([batch]);
  });

  it.each(DATA_CRITERIA)('%s: same data, same scores; no tensor left behind', async (id) => {
    const model = residualModel();
    const graph = buildChannelGraph(model);
    const batch = batchOf(
      Array.from({ length: 2 }, (_, n) => Array.from({ length: 18 }, (_, i) => Math.cos(n + i))),
      [1, 0],
      [3, 3, 2],
    );
    const before = tf.memory().numTensors;
    const first = await getCriterion(id).scoreGroups({ model, graph, seed: 1, calibration: [batch] });
    const second = await getCriterion(id).scoreGroups({ model, graph, seed: 2, calibration: [batch] });
    expect(tf.memory().numTensors).toBe(before);
    expect(second).toEqual(first);
    disposeBatches([batch]);
    // The probe sub-models leave the model's graph as it was.
    expect(buildChannelGraph(model)).toEqual(graph);
  });
});
