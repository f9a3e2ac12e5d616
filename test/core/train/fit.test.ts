import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { loadBuiltinSample } from '../../../core/data/builtin-sample.js';
import { channelStatistics } from '../../../core/data/image-dataset.js';
import { takeRecords } from '../../../core/data/splits.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { readAsset } from '../../../core/node/assets.js';
import { fit, scheduledRate } from '../../../core/train/fit.js';

beforeAll(async () => {
  await wasmCandidate.load();
});

describe('training', () => {
  it('schedules the learning rate: cosine, step and constant', () => {
    expect([0, 50, 100].map((s) => scheduledRate('cosine', 1, s, 100))).toEqual([1, 0.5, 0]);
    expect([0, 49, 50, 75].map((s) => scheduledRate('step', 1, s, 100))).toEqual([1, 1, 0.1, 0.01]);
    expect(scheduledRate('constant', 0.3, 90, 100)).toBe(0.3);
  });

  it.each(['adam', 'sgd'] as const)('learns with %s and weight decay, calling back after every epoch', async (optimizer) => {
    const { train } = await loadBuiltinSample(readAsset);
    const data = takeRecords(
      train,
      Int32Array.from({ length: 640 }, (_, i) => i),
    );
    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 2 });
    const epochs: number[] = [];
    const before = tf.memory().numTensors;
    const result = await fit(model, data, channelStatistics(data), {
      epochs: 3,
      batchSize: 64,
      learningRate: optimizer === 'sgd' ? 0.05 : 2e-3,
      seed: 1,
      stage: 'training',
      optimizer,
      weightDecay: 5e-4,
      onEpochEnd: (epoch) => void epochs.push(epoch),
    });
    expect(epochs).toEqual([0, 1, 2]);
    // Ten classes: chance is 10%; three epochs on 640 images already do far better.
    expect(result.accuracy).toBeGreaterThan(0.4);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
