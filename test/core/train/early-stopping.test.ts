import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { splitValidation } from '../../../core/data/splits.js';
import { evaluate } from '../../../core/train/evaluate.js';
import { fit } from '../../../core/train/fit.js';
import { sampleImages, tinyClassifier } from './tiny-classifier.js';

beforeAll(async () => {
  await wasmCandidate.load();
});

const weightsOf = (model: tfl.LayersModel) => model.weights.map((w) => Array.from(w.read().dataSync()));

describe('early stopping', () => {
  it('stops once validation accuracy got worse for `patience` epochs and restores the best epoch, batch-norm statistics included', async () => {
    const { train: all, norm } = await sampleImages(768);
    const { train, validation } = splitValidation(all, 0.25, 1);
    const model = tinyClassifier(5);
    const snapshots: number[][][] = [];
    const before = tf.memory().numTensors;
    const result = await fit(model, train, norm, {
      epochs: 8,
      batchSize: 64,
      learningRate: 1e-2,
      seed: 1,
      stage: 'training',
      earlyStopping: { validation, patience: 2 },
      // Two good epochs, then every epoch ends with the weights wiped: validation accuracy falls to one class.
      onEpochEnd: (epoch) => {
        snapshots.push(weightsOf(model));
        if (epoch >= 2) {
          for (const w of model.weights) {
            const zero = tf.zerosLike(w.read());
            w.write(zero);
            zero.dispose();
          }
        }
      },
    });
    expect(result.best!.epoch).toBeGreaterThanOrEqual(1);
    expect(result.best!.epoch).toBeLessThanOrEqual(2);
    // Stopped `patience` epochs after the best one, long before the 8 asked for.
    expect(result.epochs).toBe(result.best!.epoch + 2);
    expect(weightsOf(model)).toEqual(snapshots[result.best!.epoch - 1]);
    expect((await evaluate(model, validation, norm)).top1).toBe(result.best!.validationAccuracy);
    expect(result.best!.validationAccuracy).toBeGreaterThan(0.5);
    expect(tf.memory().numTensors).toBe(before);

    // Training that only hurts (every label moved to the next class) gives the starting weights back.
    const start = weightsOf(model);
    const wrong = { ...train, labels: train.labels.map((l) => (l + 1) % 10) };
    const hurt = await fit(model, wrong, norm, {
      epochs: 5,
      batchSize: 64,
      learningRate: 1e-2,
      seed: 2,
      stage: 'fine-tuning',
      earlyStopping: { validation, patience: 1 },
    });
    expect(hurt).toMatchObject({ epochs: 1, best: { epoch: 0 } });
    expect(weightsOf(model)).toEqual(start);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
