/**
 * Data-parallel training with the pruning papers' recipe (SGD with momentum or Nesterov, weight decay on
 * every weight, schedules per epoch), epoch hooks, distillation and exact resumption, on real worker threads
 * (dist/core/node/training-worker.js; rebuilt when a core source is newer).
 *
 * Independent answers: a full-batch SGD written out here with plain tensor ops (PyTorch's update rule), and
 * fit() on one engine for what only fit does (schedules, hooks). The models without batch norm make shard
 * gradients average to the full-batch gradient exactly (up to rounding); with batch norm each replica
 * normalises by its shard's statistics (as PyTorch's DDP without SyncBatchNorm), so only the resume test,
 * which compares data-parallel runs with each other, uses one.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { drawAugmentation } from '../../../core/data/augmentation.js';
import { makeBatch } from '../../../core/data/batches.js';
import { loadBuiltinSample } from '../../../core/data/builtin-sample.js';
import { channelStatistics, type ImageDataset, type Normalisation } from '../../../core/data/image-dataset.js';
import { seededRandom } from '../../../core/data/random.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { readAsset } from '../../../core/node/assets.js';
import { SoftGates } from '../../../core/prune/soft-gates.js';
import { type NodeReplicaPort, nodeReplicaSpawner, trainingWorkerUrl } from '../../../core/node/training-workers.js';
import { startDataParallel } from '../../../core/train/data-parallel/index.js';
import { fit, type FitOptions, type FitState } from '../../../core/train/fit.js';
import type { ProgressListener } from '../../../core/train/progress.js';
import { buildNodeIfStale } from '../../build/run.js';

let data: ImageDataset;
let small: ImageDataset;
let norm: Normalisation;
const ports: NodeReplicaPort[] = [];
let spawn: ReturnType<typeof nodeReplicaSpawner>;
const spawnReplica = (i: number) => {
  const port = spawn(i);
  ports.push(port);
  return port;
};

beforeAll(async () => {
  await buildNodeIfStale(trainingWorkerUrl());
  spawn = nodeReplicaSpawner();
  await wasmCandidate.load();
  ({ train: data } = await loadBuiltinSample(readAsset));
  norm = channelStatistics(data);
  // 200 images: 4 batches of 48 and one of 8 per epoch, so the last batch splits 4/4.
  const count = 200;
  small = { ...data, name: 'first 200', count, images: data.images.subarray(0, count * 28 * 28), labels: data.labels.subarray(0, count) };
}, 300_000);

afterEach(async () => {
  const codes = await Promise.race([Promise.all(ports.splice(0).map((p) => p.exited)), new Promise((r) => setTimeout(() => r('alive'), 5000))]);
  expect(codes).not.toBe('alive');
});

/** No batch norm unless asked: shard gradients then average to the full-batch gradient. */
function tinyCnn(seed = 1, batchNorm = false): tfl.LayersModel {
  const input = tfl.input({ shape: [28, 28, 1] });
  let x = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, activation: batchNorm ? 'linear' : 'relu', kernelInitializer: tfl.initializers.heNormal({ seed }) })
    .apply(input) as tfl.SymbolicTensor;
  if (batchNorm) x = tfl.layers.reLU().apply(tfl.layers.batchNormalization({}).apply(x)) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .conv2d({ filters: 16, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seed + 1 }) })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 2 }) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

const snapshot = (model: tfl.LayersModel) => model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));

function relativeDifference(a: Float32Array[], b: Float32Array[]): number {
  let diff = 0;
  let scale = 1e-6;
  a.forEach((values, k) => values.forEach((v, j) => ((diff = Math.max(diff, Math.abs(v - b[k][j]))), (scale = Math.max(scale, Math.abs(v))))));
  return diff / scale;
}

const random = seededRandom(11);
const STEPS = [32, 32, 13, 32].map((size, step) => {
  const indices = Int32Array.from({ length: size }, () => Math.floor(random() * 5000));
  const draws = Array.from(indices, () => drawAugmentation({ cropPadding: 2, horizontalFlip: true }, random));
  return { indices, draws, learningRate: 0.05 * (1 - step / 8) };
});
const DECAY = 5e-4;

/**
 * PyTorch's SGD, written out: g = grad + wd * w; buf = 0.9 * buf + g; w -= lr * (g + 0.9 * buf) (Nesterov),
 * on the whole batch at once.
 */
function fullBatchSgd(model: tfl.LayersModel): Float32Array[] {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const buffers = variables.map((v) => tf.zerosLike(v));
  for (const { indices, draws, learningRate } of STEPS) {
    const batch = makeBatch(data, indices, norm, draws);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(batch.y, model.apply(batch.x, { training: true }) as tf.Tensor) as tf.Scalar,
      variables,
    );
    variables.forEach((v, i) => {
      const [g, buf] = tf.tidy(() => {
        const g = tf.add(grads[v.name], tf.mul(v, DECAY));
        return [g, tf.add(tf.mul(buffers[i], 0.9), g)];
      });
      buffers[i].dispose();
      buffers[i] = buf;
      v.assign(tf.tidy(() => tf.sub(v, tf.mul(tf.add(g, tf.mul(buf, 0.9)), learningRate))));
      g.dispose();
    });
    tf.dispose([value, ...Object.values(grads), batch.x, batch.y]);
  }
  tf.dispose(buffers);
  return snapshot(model);
}

/** What fit reported: the learning rate of every step, and the engine count it announced. */
function recorder() {
  const rates: number[] = [];
  const messages: string[] = [];
  const onProgress: ProgressListener = (p) => {
    if (p.metrics?.learningRate !== undefined) rates.push(p.metrics.learningRate);
    if (p.message) messages.push(p.message);
  };
  return { rates, messages, onProgress };
}

const RECIPE: Omit<FitOptions, 'epochs'> = {
  batchSize: 48,
  learningRate: 0.05,
  seed: 5,
  stage: 'training',
  optimizer: 'sgd',
  nesterov: true,
  weightDecay: DECAY,
  weightDecayOn: 'all',
  schedule: 'step',
  scheduleEvery: 'epoch',
  augmentation: { cropPadding: 2, horizontalFlip: true },
};

describe("data-parallel training with the papers' recipe", () => {
  it('Nesterov SGD with weight decay on 2 and 3 replicas equals full-batch SGD written out by hand (no batch norm)', async () => {
    const expected = fullBatchSgd(tinyCnn());
    for (const replicas of [2, 3]) {
      const model = tinyCnn();
      const trainer = await startDataParallel({
        model,
        data,
        norm,
        replicas,
        spawnReplica,
        optimizer: { optimizer: 'sgd', learningRate: 0.05, nesterov: true, weightDecay: DECAY, weightDecayOn: 'all' },
      });
      for (const { indices, draws, learningRate } of STEPS) await trainer.step(indices, draws, learningRate);
      await trainer.finish();
      expect(relativeDifference(snapshot(model), expected)).toBeLessThan(2e-5);
      model.dispose();
    }
    // Weight decay really entered: without it the weights differ by more than the tolerance.
    const plain = tinyCnn();
    const trainer = await startDataParallel({
      model: plain,
      data,
      norm,
      replicas: 2,
      spawnReplica,
      optimizer: { optimizer: 'sgd', learningRate: 0.05, nesterov: true, weightDecay: 0, weightDecayOn: 'all' },
    });
    for (const { indices, draws, learningRate } of STEPS) await trainer.step(indices, draws, learningRate);
    await trainer.finish();
    expect(relativeDifference(snapshot(plain), expected)).toBeGreaterThan(1e-4);
    plain.dispose();
  });

  it('fit on 2 replicas: the per-epoch step schedule, epoch hooks that change weights and checkpoints, as on one engine', async () => {
    const run = async (parallel: boolean) => {
      const model = tinyCnn();
      const log = recorder();
      const hooks: number[] = [];
      const checkpoints: FitState[] = [];
      const result = await fit(model, small, norm, {
        ...RECIPE,
        epochs: 4,
        onProgress: log.onProgress,
        // A soft-pruning-like hook: zero the first conv's first filter after every epoch; the replicas must train on from it.
        onEpochEnd: (epoch) => {
          hooks.push(epoch);
          const kernel = model.layers[1].getWeights()[0];
          const [h, w, c, filters] = kernel.shape;
          const masked = tf.tidy(() => tf.mul(kernel, tf.concat([tf.zeros([h, w, c, 1]), tf.ones([h, w, c, filters - 1])], 3)));
          model.layers[1].setWeights([masked, model.layers[1].getWeights()[1]]);
          masked.dispose();
        },
        onCheckpoint: async (_epoch, state) => void checkpoints.push(state),
        ...(parallel && { parallel: { replicas: 2, spawnReplica } }),
      });
      return { model, result, log, hooks, checkpoints };
    };
    const one = await run(false);
    const two = await run(true);
    expect(one.result.engines).toBe(1);
    expect(two.result.engines).toBe(2);
    expect(two.log.messages.filter((m) => /^epoch \d\/4, loss [\d.]+, 2 engines$/.test(m))).toHaveLength(20);
    expect(one.log.messages.some((m) => /engines/.test(m))).toBe(false);
    expect(two.hooks).toEqual([0, 1, 2, 3]);
    expect(two.hooks).toEqual(one.hooks);
    // Step schedule per epoch: 0.05 for epochs 1-2, 0.005 for 3, 0.0005 for 4; 5 steps each.
    expect(two.log.rates).toEqual(one.log.rates);
    expect(two.log.rates).toEqual([...Array(10).fill(0.05), ...Array(5).fill(0.05 * 0.1), ...Array(5).fill(0.05 * 0.01)]);
    expect(two.checkpoints.map((c) => c.epoch)).toEqual([1, 2, 3, 4]);
    expect(two.checkpoints.every((c) => c.optimizer && c.optimizer.specs.length === one.checkpoints[0].optimizer!.specs.length)).toBe(true);
    // The hook's zeroed filter stayed zero at the end (it ran last) and the runs agree.
    const kernel = two.model.layers[1].getWeights()[0].dataSync();
    for (let j = 0; j < kernel.length; j += 8) expect(Math.abs(kernel[j])).toBe(0);
    expect(relativeDifference(snapshot(two.model), snapshot(one.model))).toBeLessThan(5e-5);
    one.model.dispose();
    two.model.dispose();
  });

  it("soft gates (a continuous schedule's epochs): replicas fold each step into the free weights as one engine does", async () => {
    const run = async (parallel: boolean) => {
      const model = tinyCnn();
      const graph = buildChannelGraph(model);
      const groups = graph.groups.filter((g) => g.prunable);
      const gates = new SoftGates(
        model,
        graph,
        groups.map((g) => g.id),
      );
      const gateDraw = seededRandom(3);
      // Gates in (0, 1], a few nearly closed, new ones after every epoch as the schedule sets them.
      const draw = () => new Map(groups.map((g) => [g.id, Float32Array.from({ length: g.channels }, () => Math.max(1e-6, gateDraw() ** 2))]));
      gates.set(draw());
      const result = await fit(model, small, norm, {
        ...RECIPE,
        epochs: 3,
        gates,
        onEpochEnd: () => gates.set(draw()),
        ...(parallel && { parallel: { replicas: 2, spawnReplica } }),
      });
      const name = model.layers[1].weights[0].originalName;
      const free = Float32Array.from(gates.free(name)!.dataSync() as Float32Array);
      const last = gates.state().gates[0]!;
      gates.dispose();
      return { model, result, free, last };
    };
    const one = await run(false);
    const two = await run(true);
    expect(two.result.engines).toBe(2);
    // The model holds gate * free on the last axis: the first conv's kernel under its last gates.
    const kernel = two.model.layers[1].getWeights()[0].dataSync();
    for (let j = 0; j < kernel.length; j++) expect(kernel[j]).toBeCloseTo(two.free[j] * two.last[j % 8], 6);
    expect(two.free.some((v, j) => Math.abs(v - kernel[j]) > 1e-3)).toBe(true);
    // One engine folds after its own steps, the replicas after theirs: the same weights, gated and free.
    expect(relativeDifference(snapshot(two.model), snapshot(one.model))).toBeLessThan(5e-5);
    expect(relativeDifference([two.free], [one.free])).toBeLessThan(5e-5);
    one.model.dispose();
    two.model.dispose();
  });

  it('distillation: the teacher runs on the replicas; weights equal one-engine distillation', async () => {
    const teacher = tinyCnn(7);
    const run = async (parallel: boolean) => {
      const model = tinyCnn();
      await fit(model, small, norm, {
        ...RECIPE,
        epochs: 2,
        distillation: { teacher, weight: 0.7, temperature: 4 },
        ...(parallel && { parallel: { replicas: 2, spawnReplica } }),
      });
      return model;
    };
    const one = await run(false);
    const two = await run(true);
    const plain = tinyCnn();
    await fit(plain, small, norm, { ...RECIPE, epochs: 2, parallel: { replicas: 2, spawnReplica } });
    expect(relativeDifference(snapshot(two), snapshot(one))).toBeLessThan(5e-5);
    // The teacher changed the result: plain cross-entropy gives other weights.
    expect(relativeDifference(snapshot(plain), snapshot(one))).toBeGreaterThan(1e-3);
    [teacher, one, two, plain].forEach((m) => m.dispose());
  });

  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`${optimizer}: interrupted after epoch 2 and resumed from its checkpoint, a CNN with batch norm ends as the uninterrupted run`, async () => {
      const options: FitOptions = {
        ...RECIPE,
        optimizer,
        learningRate: optimizer === 'sgd' ? 0.05 : 2e-3,
        epochs: 4,
        schedule: 'cosine',
        scheduleEvery: 'batch',
        batchNormMomentum: 0.9,
      };
      const uninterrupted = tinyCnn(1, true);
      const saved: { state?: FitState; weights?: Float32Array[] } = {};
      const interrupted = tinyCnn(1, true);
      await fit(uninterrupted, small, norm, { ...options, parallel: { replicas: 2, spawnReplica }, onCheckpoint: async () => undefined });
      // The interrupted session: checkpoints after every epoch, cancelled after the second one.
      const controller = new AbortController();
      await expect(
        fit(interrupted, small, norm, {
          ...options,
          parallel: { replicas: 2, spawnReplica },
          signal: controller.signal,
          onCheckpoint: async (epoch, state) => {
            if (epoch !== 1) return;
            saved.state = state;
            saved.weights = snapshot(interrupted);
            controller.abort();
          },
        }),
      ).rejects.toThrow();
      expect(saved.state?.epoch).toBe(2);
      expect(saved.state?.optimizer).toBeDefined();
      // A new session: the checkpoint's weights in a fresh model, fresh replicas.
      const resumed = tinyCnn(1, true);
      resumed.setWeights(saved.weights!.map((values, k) => tf.tensor(values, resumed.getWeights()[k].shape)));
      await fit(resumed, small, norm, { ...options, parallel: { replicas: 2, spawnReplica }, resume: saved.state, onCheckpoint: async () => undefined });
      expect(relativeDifference(snapshot(resumed), snapshot(uninterrupted))).toBeLessThan(1e-6);
      // And not by accident: resuming without the optimizer state ends elsewhere.
      const restarted = tinyCnn(1, true);
      restarted.setWeights(saved.weights!.map((values, k) => tf.tensor(values, restarted.getWeights()[k].shape)));
      await fit(restarted, small, norm, {
        ...options,
        parallel: { replicas: 2, spawnReplica },
        resume: { ...saved.state!, optimizer: undefined },
        onCheckpoint: async () => undefined,
      });
      expect(relativeDifference(snapshot(restarted), snapshot(uninterrupted))).toBeGreaterThan(1e-4);
      [uninterrupted, interrupted, resumed, restarted].forEach((m) => m.dispose());
    });
  }
});
