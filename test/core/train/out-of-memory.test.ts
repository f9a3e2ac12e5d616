import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, TaskProgress } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { readAsset } from '../../../core/node/assets.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { createEngine } from '../../../core/session/engine.js';
import { evaluate } from '../../../core/train/evaluate.js';
import { fit } from '../../../core/train/fit.js';
import { DeviceOutOfMemoryError, isOutOfMemoryError } from '../../../core/train/out-of-memory.js';
import { sampleImages, tinyClassifier } from './tiny-classifier.js';
import { failAllocations, failTensorsAbove, restoreAllocations } from './allocation-budget.js';

beforeAll(async () => {
  await wasmCandidate.load();
});

afterEach(restoreAllocations);

describe('recognising out-of-memory errors', () => {
  it.each([
    'WebGL Error: OUT_OF_MEMORY',
    'Unable to create WebGLTexture.',
    'Requested texture size [65536x4] greater than WebGL maximum on this browser / GPU [16384x16384].',
    'OOM when allocating tensor with shape[256,64,32,32] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc',
    'Out of memory creating buffer of size 1073741824',
    'Aborted(Cannot enlarge memory arrays to size 2147549184 bytes (OOM).)',
    'RangeError: Array buffer allocation failed',
  ])('%s', (message) => {
    expect(isOutOfMemoryError(new Error(message))).toBe(true);
  });

  it('knows WebGPU errors by name, and leaves other errors alone', () => {
    const gpu = new Error('allocation failed');
    gpu.name = 'GPUOutOfMemoryError';
    expect(isOutOfMemoryError(gpu)).toBe(true);
    for (const message of ['Error when checking input: expected input_1 to have shape [null,28,28,1]', 'Tensor is disposed.', 'Zoom level too high', 'room']) {
      expect(isOutOfMemoryError(new Error(message))).toBe(false);
    }
    expect(isOutOfMemoryError('OUT_OF_MEMORY')).toBe(false);
  });
});

describe('backing off to a smaller batch', () => {
  it('trains on in halves, says so, and ends where a run with the smaller batch ends, without leaking tensors', async () => {
    const { train, norm } = await sampleImages(128);
    const options = { epochs: 1, learningRate: 2e-3, seed: 4, stage: 'training' };
    // The reference: batches of 16 from the start.
    const reference = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 7 });
    const expected = await fit(reference, train, norm, { ...options, batchSize: 16 });
    const statistics = reference.nonTrainableWeights.map((w) => w.read().dataSync().slice());
    reference.dispose();

    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 7 });
    const events: TaskProgress[] = [];
    const tensorsAtStep: number[] = [];
    const before = tf.memory().numTensors;
    // The demo CNN's widest tensors hold 28x28x32 values per image: 16 images fit. Batch 64 fails at the
    // first convolution; batch 32 only at the second, with the first one's tensors already on the gradient tape.
    failTensorsAbove(16 * 28 * 28 * 32);
    const result = await fit(model, train, norm, {
      ...options,
      batchSize: 64,
      onProgress: (progress) => {
        events.push(progress);
        if (!progress.warning) tensorsAtStep.push(tf.memory().numTensors);
      },
    });
    const warnings = events.filter((e) => e.warning).map((e) => e.message);
    expect(warnings).toEqual(['Batch 64 did not fit in memory; continuing with 32', 'Batch 32 did not fit in memory; continuing with 16']);
    // All 128 images trained once, in 8 steps of 16, the same steps as the reference took.
    const steps = events.filter((e) => !e.warning);
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(steps.at(-1)!.total).toBe(8);
    expect(result.loss).toBeCloseTo(expected.loss, 5);
    expect(result.accuracy).toBe(expected.accuracy);
    // Batch norm's moving statistics, which a failed forward pass had already moved, are as the reference's.
    model.nonTrainableWeights.forEach((w, i) =>
      w
        .read()
        .dataSync()
        .forEach((v, j) => expect(v).toBeCloseTo(statistics[i][j], 5)),
    );
    // The failed attempts left nothing behind: the count is the same at every step and back where it began.
    expect(new Set(tensorsAtStep).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('gives up with a named error when even one image does not fit', async () => {
    const { train, norm } = await sampleImages(32);
    const model = tinyClassifier(3);
    const warnings: string[] = [];
    const before = tf.memory().numTensors;
    failTensorsAbove(0);
    const run = fit(model, train, norm, {
      epochs: 1,
      batchSize: 8,
      learningRate: 1e-3,
      seed: 1,
      stage: 'fine-tuning',
      onProgress: (p) => void (p.warning && warnings.push(p.message)),
    });
    await expect(run).rejects.toThrow(DeviceOutOfMemoryError);
    await expect(run).rejects.toThrow(/fine-tuning at step 1: even a batch of 1 does not fit in memory on the wasm backend \(WebGL Error: OUT_OF_MEMORY\)/);
    expect(warnings).toEqual([
      'Batch 8 did not fit in memory; continuing with 4',
      'Batch 4 did not fit in memory; continuing with 2',
      'Batch 2 did not fit in memory; continuing with 1',
    ]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('stops with a named error when memory runs out while the optimizer writes the weights, rather than retry a half-done step', async () => {
    const { train, norm } = await sampleImages(32);
    const model = tinyClassifier(3);
    const warnings: string[] = [];
    const before = tf.memory().numTensors;
    // Adam's update of the weights, for real, with allocations failing after its first few: some weights change, others not.
    const prototype = tf.AdamOptimizer.prototype;
    const apply = prototype.applyGradients;
    prototype.applyGradients = function (this: tf.AdamOptimizer, ...args: Parameters<typeof apply>) {
      let allocations = 0;
      failAllocations(() => ++allocations > 4, 'WebGL Error: OUT_OF_MEMORY');
      try {
        return apply.apply(this, args);
      } finally {
        restoreAllocations();
      }
    };
    try {
      const run = fit(model, train, norm, {
        epochs: 1,
        batchSize: 8,
        learningRate: 1e-3,
        seed: 1,
        stage: 'training',
        onProgress: (p) => void (p.warning && warnings.push(p.message)),
      });
      await expect(run).rejects.toThrow(DeviceOutOfMemoryError);
      await expect(run).rejects.toThrow(/training at step 1: memory ran out while the optimizer updated the weights/);
    } finally {
      prototype.applyGradients = apply;
    }
    expect(warnings).toEqual([]);
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(0);
    model.dispose();
  });

  it('lets other errors through at once', async () => {
    const { train, norm } = await sampleImages(32);
    const model = tinyClassifier(3);
    failAllocations(() => true, 'a kernel bug');
    const warnings: TaskProgress[] = [];
    await expect(
      fit(model, train, norm, {
        epochs: 1,
        batchSize: 8,
        learningRate: 1e-3,
        seed: 1,
        stage: 'training',
        onProgress: (p) => void (p.warning && warnings.push(p)),
      }),
    ).rejects.toThrow('a kernel bug');
    expect(warnings).toEqual([]);
    restoreAllocations();
    model.dispose();
  });

  it('evaluates in smaller batches with the same accuracy', async () => {
    const { test, norm } = await sampleImages(100);
    const model = tinyClassifier(5);
    const expected = await evaluate(model, test, norm, { batchSize: 64 });
    const events: TaskProgress[] = [];
    const before = tf.memory().numTensors;
    failTensorsAbove(20 * 28 * 28);
    const measured = await evaluate(model, test, norm, { batchSize: 64, onProgress: (p) => void events.push(p) });
    expect(measured).toEqual(expected);
    expect(events.filter((e) => e.warning).map((e) => e.message)).toEqual([
      'Batch 64 did not fit in memory; continuing with 32',
      'Batch 32 did not fit in memory; continuing with 16',
    ]);
    expect(
      events
        .filter((e) => !e.warning)
        .map((e) => e.message)
        .at(-1),
    ).toBe(`${test.count} of ${test.count} images`);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('a pruning session that runs out of memory', () => {
  it('goes on with smaller batches, warns through task-warning events, and finishes with no more tensors than without', async () => {
    const engine = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset });
    const config = {
      model: 'demo-cnn',
      data: 'builtin:fashion-mnist',
      trainEpochs: 1,
      fineTuneEpochs: 0,
      batchSize: 32,
      calibrationBatches: 1,
      sample: { train: 64, test: 20 },
      seed: 3,
    };
    const session = async () => {
      const events: EngineEvent[] = [];
      let stop = () => {};
      const done = new Promise<void>((resolve) => {
        stop = engine.onEvent((event) => {
          events.push(event);
          if (event.type === 'task-done' || event.type === 'task-failed') resolve();
        });
      });
      await engine.startPruning(config);
      await done;
      stop();
      return { events, tensors: (await engine.getInfo()).memory!.tensors };
    };
    const plain = await session();
    // The demo CNN's widest tensors hold 28x28x32 values per image: a budget of 8 such images.
    failTensorsAbove(8 * 28 * 28 * 32);
    const squeezed = await session();
    restoreAllocations();
    expect(squeezed.events.find((e) => e.type === 'task-failed')).toBeUndefined();
    const warnings = squeezed.events.flatMap((e) => (e.type === 'task-warning' ? [e.message] : []));
    expect(warnings).toEqual(
      expect.arrayContaining(['Batch 32 did not fit in memory; continuing with 16', 'Batch 16 did not fit in memory; continuing with 8']),
    );
    expect(squeezed.events.some((e) => e.type === 'task-progress' && /did not fit/.test(e.progress.message))).toBe(false);
    expect(plain.events.some((e) => e.type === 'task-warning')).toBe(false);
    // The back-off lasts in the run's warnings too (the project and the report keep them), once each.
    const result = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'task-done' ? [e.result] : []))[0]!;
    expect(result(squeezed.events).warnings).toEqual(
      expect.arrayContaining(['training: Batch 32 did not fit in memory; continuing with 16', 'training: Batch 16 did not fit in memory; continuing with 8']),
    );
    expect(result(squeezed.events).warnings.filter((w) => /did not fit/.test(w))).toHaveLength(new Set(warnings).size);
    expect(result(plain.events).warnings.some((w) => /did not fit/.test(w))).toBe(false);
    // The retries left nothing behind: the engine holds what it held after the same session without them.
    expect(squeezed.tensors).toBe(plain.tensors);
  });
});
