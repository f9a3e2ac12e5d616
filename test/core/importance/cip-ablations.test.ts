import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '../../../core/data/batches.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { activationMean } from '../../../core/importance/activation-mean.js';
import { cip, createCip } from '../../../core/importance/cip.js';
import { CIP_SPEC_SWITCHES, CIP_SWITCH_DEFAULTS } from '../../../core/api/run-options.js';
import { CalibrationRequiredError } from '../../../core/importance/criterion.js';
import { criterionFor, getCriterion } from '../../../core/importance/registry.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { randomiseBatchNorm } from '../prune/random-batch-norm.js';

// CIP-SPEC section 7: the switches reproduce their baselines; plus a full CIP score computed by hand.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomBatch(shape: [number, number, number, number], seed: number): Batch {
  const x = tf.randomNormal<tf.Rank.R4>(shape, 0, 1, 'float32', seed);
  return { x, y: tf.zeros([shape[0], 10]), size: shape[0] };
}

/** Divides by the first entry: two vectors are proportional when these agree. */
const ratios = (v: ArrayLike<number>) => Array.from(v, (x) => x / v[0]);
const ranking = (v: ArrayLike<number>) => Array.from(v, (_, i) => i).sort((a, b) => v[b] - v[a]);

describe('CIP ablation switches on a plain CNN', () => {
  const model = buildDemoCnn({ inputShape: [12, 12, 3], numClasses: 10, seed: 3 });
  randomiseBatchNorm(model, 9);
  const graph = buildChannelGraph(model);
  const calibration = [randomBatch([6, 12, 12, 3], 1), randomBatch([5, 12, 12, 3], 2)];
  const context = { model, graph, calibration, seed: 0 };
  const blocks = ['block1', 'block2', 'block3', 'block4'];
  const groupOf = (block: string) => graph.groups.find((g) => g.producers.includes(`${block}_conv`))!.id;

  it('alpha = 0, beta = 0, no sigmoid: I is mu / mean(mu), the activation-mean ranking', async () => {
    const scores = await createCip({ alpha: 0, beta: 0, sigmoid: false }).scoreGroups(context);
    const baseline = await activationMean.scoreGroups(context);
    for (const block of blocks) {
      // mu measured here on its own: mean |relu output| over images and positions.
      const sums = calibration.map((b) =>
        tf.tidy(() => tf.sum(tf.mean(tf.abs(model.execute(b.x, `${block}_relu/${block}_relu`) as tf.Tensor), [1, 2]), 0).arraySync() as number[]),
      );
      const mu = sums[0].map((s, c) => (s + sums[1][c]) / 11);
      expect(ratios(scores.get(groupOf(block))!)).toEqual(ratios(mu).map((r) => expect.closeTo(r, 4)));
      expect(ranking(scores.get(groupOf(block))!)).toEqual(ranking(baseline.get(groupOf(block))!));
    }
  });

  it('alpha = 0, beta = 1, mu = 1: I is the batch-norm scale |gamma| / sqrt(var + eps) up to a constant', async () => {
    const criterion = createCip({ ...CIP_SPEC_SWITCHES, alpha: 0, beta: 1, unitStatistic: true });
    expect(criterion.needs).toBe('weights');
    const scores = await criterion.scoreGroups({ model, graph, seed: 0 });
    for (const block of blocks) {
      const [gamma, , , variance] = model
        .getLayer(`${block}_bn`)
        .getWeights()
        .map((w) => Array.from(w.dataSync()));
      const epsilon = model.getLayer(`${block}_bn`).getConfig().epsilon as number;
      const fold = gamma.map((g, c) => Math.abs(g) / Math.sqrt(variance[c] + epsilon));
      expect(ratios(scores.get(groupOf(block))!)).toEqual(ratios(fold).map((r) => expect.closeTo(r, 4)));
    }
  });

  it("groupKernel, alpha = 0, beta = 1, mu = 1: I is group-l1's score (the whole group's L1) up to a constant", async () => {
    const scores = await createCip({ alpha: 0, beta: 1, unitStatistic: true, groupKernel: true }).scoreGroups({ model, graph, seed: 0 });
    const groupL1 = await getCriterion('group-l1').scoreGroups({ model, graph, seed: 0 });
    const own = await createCip({ ...CIP_SPEC_SWITCHES, alpha: 0, beta: 1, unitStatistic: true }).scoreGroups({ model, graph, seed: 0 });
    for (const block of blocks) {
      expect(ratios(scores.get(groupOf(block))!)).toEqual(ratios(groupL1.get(groupOf(block))!).map((r) => expect.closeTo(r, 4)));
      // The switch changes the kernel term: without it the batch-norm fold ranks the channels.
      expect(ratios(own.get(groupOf(block))!)).not.toEqual(ratios(scores.get(groupOf(block))!));
    }
  });

  it('is deterministic, leaks no tensor and mixes both terms by default', async () => {
    const first = await cip.analyse(context);
    const tensors = tf.memory().numTensors;
    const second = await createCip().analyse(context);
    expect(tf.memory().numTensors).toBe(tensors);
    expect([...second.scores]).toEqual([...first.scores]);
    expect(first.warnings).toEqual([]);
    for (const score of first.scores.values()) {
      expect(score.every(Number.isFinite)).toBe(true);
      expect(score.reduce((a, b) => a + b) / score.length).toBeCloseTo(1, 4);
    }
    expect(cip.settings).toMatchObject({ ...CIP_SWITCH_DEFAULTS, unitStatistic: false });
  });

  it('is registered as cip and nisp; cip asks for calibration data, nisp does not', async () => {
    expect(getCriterion('cip').needs).toBe('activations');
    expect(getCriterion('nisp').needs).toBe('weights');
    await expect(cip.scoreGroups({ model, graph, seed: 0 })).rejects.toBeInstanceOf(CalibrationRequiredError);
    expect(() => createCip({ alpha: 2 })).toThrow(/alpha must lie in \[0, 1\]/);
  });

  it("a run's cip option switches the run's CIP (the activation-mean ranking here); other criteria ignore it", async () => {
    const switched = criterionFor({ criterion: 'cip', cip: { alpha: 0, beta: 0, sigmoid: false } });
    const scores = await switched.scoreGroups(context);
    const baseline = await activationMean.scoreGroups(context);
    for (const block of blocks) expect(ranking(scores.get(groupOf(block))!)).toEqual(ranking(baseline.get(groupOf(block))!));
    expect(criterionFor({ criterion: 'cip' })).toBe(cip);
    expect(criterionFor({ criterion: 'cip', cip: {} })).toBe(cip);
    expect(criterionFor({ criterion: 'l1', cip: { alpha: 0 } })).toBe(getCriterion('l1'));
  });
});

describe('CIP by hand', () => {
  /**
   * image [1, 1, 2] -> conv1 (1x1, 3) -> bn1 -> ReLU -> conv2 (1x1, 2) -> bn2 -> ReLU -> GAP -> fc (2).
   * Folds |gamma| / sqrt(var + 1e-3): bn1 (2, 0.5, 3), bn2 (1, 0.5). Images (1, 2) and (3, 0) give
   * post-ReLU maps (2, 1, 12), (6, 0, 18) and (4, 5), (6, 6): mu1 = (4, 0.5, 15), mu2 = (5, 5.5).
   */
  function tinyModel(): tfl.LayersModel {
    const input = tfl.input({ shape: [1, 1, 2] });
    let x = input;
    for (const [i, filters] of [
      [1, 3],
      [2, 2],
    ]) {
      x = tfl.layers.conv2d({ filters, kernelSize: 1, useBias: false, name: `conv${i}` }).apply(x) as tfl.SymbolicTensor;
      x = tfl.layers.batchNormalization({ name: `bn${i}` }).apply(x) as tfl.SymbolicTensor;
      x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2, useBias: false, name: 'fc' }).apply(x) as tfl.SymbolicTensor });
    const set = (name: string, values: number[][], shape: number[]) =>
      model.getLayer(name).setWeights(values.map((v, i) => tf.tensor(v, i === 0 ? shape : [v.length])));
    set('conv1', [[1, 0, 2, 0, 1, 1]], [1, 1, 2, 3]);
    set(
      'bn1',
      [
        [2, 1, 1.5],
        [0, 0, 0],
        [0, 0, 0],
        [0.999, 3.999, 0.249],
      ],
      [3],
    );
    set('conv2', [[1, -1, 2, 0, 0, 1]], [1, 1, 3, 2]);
    set(
      'bn2',
      [
        [1, 0.5],
        [0, 0],
        [0, 0],
        [0.999, 0.999],
      ],
      [2],
    );
    set('fc', [[1, 2, 3, -1]], [2, 2]);
    return model;
  }

  it('matches section 2-3 computed by hand (tau = 1, beta = 0.5, alpha = 0.5)', async () => {
    const model = tinyModel();
    const graph = buildChannelGraph(model);
    const calibration: Batch[] = [{ x: tf.tensor4d([1, 2, 3, 0], [2, 1, 1, 2]), y: tf.zeros([2, 2]), size: 2 }];
    const { writers, scores } = await createCip(CIP_SPEC_SWITCHES).analyse({ model, graph, calibration, seed: 0 });
    const close = (values: number[]) => values.map((v) => expect.closeTo(v, 4));
    // conv2: rows of C = |W_fc| mu2 are (5, 16.5) and (10, 5.5); r2 = P^T (1/2, 1/2).
    expect(Array.from(writers.get('conv2')!.r)).toEqual(close([0.43886, 0.56114]));
    expect(Array.from(writers.get('conv2')!.a)).toEqual(close([0.310552, 0.596903]));
    expect(Array.from(writers.get('conv2')!.importance)).toEqual(close([0.781082, 1.218918]));
    // conv1: rows of C = s_d |W2| mu1 are (4, 1, 0) and 0.5 * (4, 0, 15); r1 = P^T I2.
    expect(Array.from(writers.get('conv1')!.r)).toEqual(close([0.88148, 0.156216, 0.962303]));
    expect(Array.from(writers.get('conv1')!.a)).toEqual(close([0.569212, 0.11141, 0.965581]));
    const group1 = graph.groups.find((g) => g.producers.includes('conv1'))!;
    expect(Array.from(scores.get(group1.id)!)).toEqual(close([1.179769, 0.218678, 1.601553]));
  });
});
