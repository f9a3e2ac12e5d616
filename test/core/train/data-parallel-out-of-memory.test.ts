import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TaskProgress } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { type FromReplica, type ReplicaPort, serveReplica, type ToReplica } from '../../../core/train/data-parallel/index.js';
import { fit } from '../../../core/train/fit.js';
import { DeviceOutOfMemoryError } from '../../../core/train/out-of-memory.js';
import { failAllocations, failTensorsAbove, restoreAllocations } from './allocation-budget.js';
import { sampleImages } from './tiny-classifier.js';

// Replicas normally run in worker threads, each with its own engine, where this test's allocation budget
// cannot reach. Here each runs the same message loop (serveReplica) in this thread, on this engine, with
// messages delivered asynchronously and in order as postMessage does: the budget applies to them, and
// their tensors count in tf.memory().
function replicaInThisThread(): ReplicaPort {
  let toCoordinator: (message: FromReplica) => void = () => {};
  let toReplica: (message: ToReplica) => void = () => {};
  serveReplica({ post: (message) => void setTimeout(() => toCoordinator(message)), onMessage: (listener) => void (toReplica = listener) });
  return {
    post: (message) => void setTimeout(() => toReplica(message)),
    onMessage: (listener) => void (toCoordinator = listener),
    onFailure: () => {},
    terminate: async () => {},
  };
}

beforeAll(async () => {
  await wasmCandidate.load();
});

afterEach(restoreAllocations);

describe('data-parallel training that runs out of memory', () => {
  const options = { epochs: 1, learningRate: 2e-3, seed: 4, stage: 'training' };

  /** A run on two replicas; the engine's tensor count (the replicas' included) after each step, from where it began. */
  async function run(batchSize: number, budget?: number, replicas = 2) {
    const { train, norm } = await sampleImages(128);
    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 7 });
    let spawned = 0;
    const parallel = { replicas, spawnReplica: () => (spawned++, replicaInThisThread()) };
    const events: TaskProgress[] = [];
    const tensors: number[] = [];
    const before = tf.memory().numTensors;
    if (budget) failTensorsAbove(budget);
    const result = await fit(model, train, norm, {
      ...options,
      batchSize,
      parallel,
      onProgress: (progress) => {
        events.push(progress);
        if (!progress.warning) tensors.push(tf.memory().numTensors - before);
      },
    });
    restoreAllocations();
    const weights = model.trainableWeights.map((w) => w.read().dataSync().slice());
    const statistics = model.nonTrainableWeights.map((w) => w.read().dataSync().slice());
    model.dispose();
    return { result, events, tensors, weights, statistics, spawned };
  }

  it('retries the step with half the batch on every replica, says so, and ends where a run with that batch ends', async () => {
    const reference = await run(16);
    // The demo CNN's widest tensors hold 28x28x32 values per image: shards of 8 images fit. At batch 64 each
    // replica gets 32 and fails; at 32, 16 each still fails; at 16 the step goes through.
    const squeezed = await run(64, 8 * 28 * 28 * 32);
    expect(squeezed.spawned).toBe(2);
    expect(squeezed.events.some((e) => /one engine/.test(e.message))).toBe(false);
    expect(squeezed.events.filter((e) => e.warning).map((e) => e.message)).toEqual([
      'Batch 64 did not fit in memory; continuing with 32',
      'Batch 32 did not fit in memory; continuing with 16',
    ]);
    const steps = squeezed.events.filter((e) => !e.warning);
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(steps.at(-1)!.total).toBe(8);
    // No replica applied anything for the failed attempts: the same weights as batches of 16 from the start.
    expect(squeezed.result.loss).toBeCloseTo(reference.result.loss, 5);
    expect(squeezed.result.accuracy).toBe(reference.result.accuracy);
    squeezed.weights.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(reference.weights[i][j], 5)));
    // Batch norm's moving statistics too: the failed forward passes had moved them, and were undone.
    squeezed.statistics.forEach((s, i) => s.forEach((v, j) => expect(v).toBeCloseTo(reference.statistics[i][j], 5)));
    // And nothing left behind: the replicas hold as many tensors at every step as they do without the retries.
    expect(squeezed.tensors).toEqual(reference.tensors);
  });

  it('puts back the statistics of replicas whose shard fitted when another one did not, so all stay equal', async () => {
    // Three replicas, batch 17: shards of 6, 6 and 5 images. Shards of 5 fit, so the third replica's forward
    // pass goes through (and moves its batch-norm statistics) while the first two run out of memory.
    const reference = await run(8, undefined, 3);
    const squeezed = await run(17, 5 * 28 * 28 * 32, 3);
    expect(squeezed.events.filter((e) => e.warning).map((e) => e.message)).toEqual(['Batch 17 did not fit in memory; continuing with 8']);
    expect(squeezed.result.loss).toBeCloseTo(reference.result.loss, 5);
    squeezed.statistics.forEach((s, i) => s.forEach((v, j) => expect(v).toBeCloseTo(reference.statistics[i][j], 5)));
    expect(squeezed.tensors).toEqual(reference.tensors);
  });

  it('gives up with a named error when one image per replica does not fit, and lets other errors end the run', async () => {
    const { train, norm } = await sampleImages(16);
    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 7 });
    const parallel = { replicas: 2, spawnReplica: replicaInThisThread };
    const warnings: string[] = [];
    failTensorsAbove(0);
    const squeezed = fit(model, train, norm, { ...options, batchSize: 4, parallel, onProgress: (p) => void (p.warning && warnings.push(p.message)) });
    await expect(squeezed).rejects.toThrow(DeviceOutOfMemoryError);
    await expect(squeezed).rejects.toThrow(
      /training at step 1: even a batch of 1 does not fit in memory on the wasm backend \(training replica 1 of 2: WebGL Error: OUT_OF_MEMORY\)/,
    );
    expect(warnings).toEqual(['Batch 4 did not fit in memory; continuing with 2', 'Batch 2 did not fit in memory; continuing with 1']);
    // A replica's other failures are not retried: the run ends with the replica's own words.
    failAllocations((shape) => shape.length === 4 && shape[3] === 32, 'a kernel bug');
    warnings.length = 0;
    await expect(
      fit(model, train, norm, { ...options, batchSize: 4, parallel, onProgress: (p) => void (p.warning && warnings.push(p.message)) }),
    ).rejects.toThrow(/a kernel bug/);
    expect(warnings).toEqual([]);
    model.dispose();
  });
});
