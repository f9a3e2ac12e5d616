import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { defaultAugmentation } from '../../../core/data/augmentation.js';
import { fit, type FitOptions, type FitState } from '../../../core/train/fit.js';
import { OptimizerStateError } from '../../../core/train/optimizer-state.js';
import { sampleImages, tinyClassifier } from './tiny-classifier.js';

beforeAll(async () => {
  await wasmCandidate.load();
});

const weightsOf = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('fit resumed from an epoch checkpoint', () => {
  it.each(['adam', 'sgd'] as const)(
    'repeats the remaining epochs bit for bit (%s, shuffles and augmentation drawn from the saved generator)',
    async (optimizer) => {
      const { train, norm } = await sampleImages(192);
      const options: FitOptions = {
        epochs: 3,
        batchSize: 32,
        learningRate: 1e-2,
        seed: 5,
        stage: 'fine-tuning',
        optimizer,
        augmentation: defaultAugmentation('natural'),
        weightDecay: optimizer === 'sgd' ? 5e-4 : 0,
      };
      const whole = tinyClassifier(3);
      await fit(whole, train, norm, options);

      // The interrupted run: its last checkpoint is the end of epoch 1, weights and state.
      const first = tinyClassifier(3);
      let saved: { state: FitState; weights: tf.Tensor[] } | undefined;
      await fit(first, train, norm, {
        ...options,
        onCheckpoint: async (epoch, state) => {
          if (epoch === 0) saved = { state, weights: first.getWeights().map((w) => tf.clone(w)) };
        },
      });
      expect(saved!.state).toMatchObject({ epoch: 1, random: expect.any(Number), optimizer: { specs: expect.any(Array) } });

      // A fresh model (another "process") from the checkpoint.
      const resumed = tinyClassifier(99);
      resumed.setWeights(saved!.weights);
      const result = await fit(resumed, train, norm, { ...options, resume: saved!.state });
      expect(result.epochs).toBe(2);
      expect(weightsOf(resumed)).toEqual(weightsOf(whole));
      tf.dispose(saved!.weights);
      [whole, first, resumed].forEach((m) => m.dispose());
    },
  );

  it('refuses an optimizer state made for another model', async () => {
    const { train, norm } = await sampleImages(64);
    let state: FitState | undefined;
    const model = tinyClassifier(1);
    await fit(model, train, norm, {
      epochs: 1,
      batchSize: 32,
      learningRate: 1e-2,
      seed: 1,
      stage: 'fine-tuning',
      onCheckpoint: async (_, s) => void (state = s),
    });
    const other = tinyClassifier(1, 5);
    await expect(fit(other, train, norm, { epochs: 2, batchSize: 32, learningRate: 1e-2, seed: 1, stage: 'fine-tuning', resume: state })).rejects.toThrow(
      OptimizerStateError,
    );
    model.dispose();
    other.dispose();
  });
});
