/**
 * Data-parallel training on real worker threads. The workers run the compiled dist/core/node/training-worker.js
 * (`npm test` builds first; run alone, this file rebuilds dist when a core source is newer than the worker).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { drawAugmentation } from '../../../core/data/augmentation.js';
import { makeBatch } from '../../../core/data/batches.js';
import { loadBuiltinSample } from '../../../core/data/builtin-sample.js';
import { channelStatistics, type ImageDataset, type Normalisation } from '../../../core/data/image-dataset.js';
import { seededRandom, shuffledIndices } from '../../../core/data/random.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { readAsset } from '../../../core/node/assets.js';
import { type NodeReplicaPort, nodeReplicaSpawner, trainingWorkerUrl } from '../../../core/node/training-workers.js';
import { cosineRate } from '../../../core/train/fit.js';
import { DataParallelError, startDataParallel } from '../../../core/train/data-parallel/index.js';
import { buildNodeIfStale } from '../../build/run.js';

let data: ImageDataset;
let test: ImageDataset;
let norm: Normalisation;
const ports: NodeReplicaPort[] = [];
let spawn: ReturnType<typeof nodeReplicaSpawner>;

beforeAll(async () => {
  await buildNodeIfStale(trainingWorkerUrl());
  spawn = nodeReplicaSpawner();
  await wasmCandidate.load();
  ({ train: data, test } = await loadBuiltinSample(readAsset));
  norm = channelStatistics(data);
});

// Every trainer's worker threads must be gone once it is finished or disposed.
afterEach(async () => {
  const codes = await Promise.race([Promise.all(ports.splice(0).map((p) => p.exited)), new Promise((r) => setTimeout(() => r('alive'), 5000))]);
  expect(codes).not.toBe('alive');
});

const start = (model: tfl.LayersModel, options: { backend?: string } = {}) =>
  startDataParallel({
    model,
    data,
    norm,
    replicas: 2,
    ...options,
    spawnReplica: (i) => {
      const port = spawn(i);
      ports.push(port);
      return port;
    },
  });

/** No batch norm: data parallelism then computes exactly the single-process gradient, up to rounding. */
function tinyCnn(): tfl.LayersModel {
  const input = tfl.input({ shape: [28, 28, 1] });
  let x = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: 1 }) })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .conv2d({ filters: 16, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: 2 }) })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

// Uneven global batches: 24 splits 12/12, 11 splits 6/5, and 1 leaves the second replica without images.
const random = seededRandom(7);
const STEPS = [24, 24, 11, 1].map((size, step) => {
  const indices = Int32Array.from({ length: size }, () => Math.floor(random() * 5000));
  const draws = Array.from(indices, () => drawAugmentation({ cropPadding: 2, horizontalFlip: true }, random));
  return { indices, draws, learningRate: cosineRate(3e-3, step, 4) };
});

const snapshot = (model: tfl.LayersModel) =>
  model
    .getWeights()
    .map((w) => w.dataSync() as Float32Array)
    .map((a) => Float32Array.from(a));

/** The single-process run, as fit() does it: weights after each step, and the losses. */
function singleProcess(model: tfl.LayersModel) {
  const optimizer = tf.train.adam(1);
  const after: Float32Array[][] = [];
  const losses: number[] = [];
  for (const { indices, draws, learningRate } of STEPS) {
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    const batch = makeBatch(data, indices, norm, draws);
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(batch.y, model.apply(batch.x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    losses.push(cost.dataSync()[0]);
    tf.dispose([cost, batch.x, batch.y]);
    after.push(snapshot(model));
  }
  optimizer.dispose();
  return { after, losses };
}

function relativeDifference(a: Float32Array[], b: Float32Array[]): number {
  let diff = 0;
  let scale = 1e-6;
  a.forEach((values, k) => values.forEach((v, j) => ((diff = Math.max(diff, Math.abs(v - b[k][j]))), (scale = Math.max(scale, Math.abs(v))))));
  return diff / scale;
}

describe('data-parallel training on two worker threads', () => {
  it('gives the weights of single-process training (no batch norm), replicas in sync, no tensor leaks', async () => {
    const reference = singleProcess(tinyCnn());
    const model = tinyCnn();
    const tensors = tf.memory().numTensors;
    const trainer = await start(model);
    for (const [k, { indices, draws, learningRate }] of STEPS.entries()) {
      const result = await trainer.step(indices, draws, learningRate);
      expect(result.count).toBe(indices.length);
      expect(Math.abs(result.loss - reference.losses[k])).toBeLessThan(1e-4 * reference.losses[k]);
      if (k === 1) {
        expect((await trainer.sync()).drift).toBe(0);
        expect(relativeDifference(snapshot(model), reference.after[1])).toBeLessThan(1e-4);
      }
    }
    await trainer.finish();
    expect(relativeDifference(snapshot(model), reference.after[3])).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(tensors);
    await expect(trainer.step(STEPS[0].indices, undefined, 1e-3)).rejects.toThrow(DataParallelError);
    model.dispose();
  });

  it('on cancellation between batches, finish waits for the step in flight and hands back its weights', async () => {
    const reference = singleProcess(tinyCnn());
    const model = tinyCnn();
    const trainer = await start(model);
    for (const { indices, draws, learningRate } of STEPS.slice(0, 2)) await trainer.step(indices, draws, learningRate);
    const inFlight = trainer.step(STEPS[2].indices, STEPS[2].draws, STEPS[2].learningRate);
    await trainer.finish();
    await inFlight;
    expect(relativeDifference(snapshot(model), reference.after[2])).toBeLessThan(1e-4);
    model.dispose();
  });

  it('trains a batch-norm CNN on Fashion-MNIST; moving statistics averaged across replicas', async () => {
    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10 });
    const trainer = await start(model);
    const order = shuffledIndices(5000, seededRandom(3)).subarray(0, 640);
    const epochLoss: number[] = [];
    for (let epoch = 0, step = 0; epoch < 3; epoch++) {
      let sum = 0;
      for (let b = 0; b < 10; b++, step++) sum += (await trainer.step(order.subarray(b * 64, b * 64 + 64), undefined, cosineRate(3e-3, step, 30))).loss;
      epochLoss.push(sum / 10);
    }
    expect((await trainer.sync()).drift).toBe(0);
    await trainer.finish();
    const batch = makeBatch(
      test,
      Int32Array.from({ length: 500 }, (_, i) => i * 2),
      norm,
    );
    const accuracy = tf.tidy(
      () => tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(batch.x) as tf.Tensor, 1), tf.argMax(batch.y, 1)), 'float32')).dataSync()[0],
    );
    tf.dispose([batch.x, batch.y]);
    expect(epochLoss[2]).toBeLessThan(0.75 * epochLoss[0]);
    expect(accuracy).toBeGreaterThan(0.55);
    model.dispose();
  });

  it('dispose ends the workers at once and leaves the caller model as it was', async () => {
    const model = tinyCnn();
    const before = snapshot(model);
    const trainer = await start(model);
    await trainer.step(STEPS[0].indices, undefined, 1e-3);
    await trainer.dispose();
    expect(relativeDifference(snapshot(model), before)).toBe(0);
    await expect(trainer.step(STEPS[0].indices, undefined, 1e-3)).rejects.toThrow(/shut down/);
    model.dispose();
  });

  it('a crashed worker fails the step with a named error and ends the other worker', async () => {
    const model = tinyCnn();
    const trainer = await start(model);
    await trainer.step(STEPS[0].indices, undefined, 1e-3);
    const step = trainer.step(STEPS[0].indices, undefined, 1e-3);
    void ports[1].worker.terminate();
    await expect(step).rejects.toThrow(/training replica 2 of 2 failed: its worker thread exited/);
    await expect(trainer.finish()).rejects.toThrow(DataParallelError);
    model.dispose();
  });

  it('a replica that cannot start rejects the start and ends every worker', async () => {
    const model = tinyCnn();
    await expect(start(model, { backend: 'no-such-backend' })).rejects.toThrow(/replica \d of 2 failed: no portable backend/);
    model.dispose();
  });
});
