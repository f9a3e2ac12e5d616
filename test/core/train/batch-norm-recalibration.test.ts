import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../../../core/data/image-dataset.js';
import { recalibrateBatchNorm } from '../../../core/train/batch-norm-recalibration.js';

// Batch-norm statistics re-estimated after pruning: from the images the model was trained on, augmented as it was.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Images of one colour (every pixel 200), fed unnormalised: a batch norm on the input sees exactly that value. */
const count = 32;
const data: ImageDataset = {
  name: 'flat',
  images: new Uint8Array(count * 8 * 8 * 3).fill(200),
  labels: new Uint8Array(count),
  count,
  height: 8,
  width: 8,
  channels: 3,
  classNames: ['a', 'b'],
};
const identity = { mean: [0, 0, 0], std: [1, 1, 1] };

function inputNorm(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  return tfl.model({ inputs: input, outputs: tfl.layers.batchNormalization({ name: 'bn' }).apply(input) as tfl.SymbolicTensor });
}

const statistics = (model: tfl.LayersModel) => {
  const [, , mean, variance] = model.getLayer('bn').getWeights();
  return { mean: Array.from(mean.dataSync()), variance: Array.from(variance.dataSync()) };
};

describe('recalibrateBatchNorm', () => {
  it('averages the statistics of plain training images without augmentation', async () => {
    const model = inputNorm();
    await recalibrateBatchNorm(model, data, identity, { batches: 2, batchSize: 16 });
    const { mean, variance } = statistics(model);
    expect(mean.map((m) => m * 255)).toEqual([200, 200, 200].map((v) => expect.closeTo(v, 3)));
    expect(Math.max(...variance)).toBeLessThan(1e-6);
  });

  it('sees the images as training augments them: zero-padded crops lower the mean and spread the values', async () => {
    const model = inputNorm();
    await recalibrateBatchNorm(model, data, identity, { batches: 2, batchSize: 16, augmentation: { cropPadding: 4, horizontalFlip: true } });
    const { mean, variance } = statistics(model);
    for (const [c, m] of mean.entries()) {
      expect(m * 255).toBeLessThan(195);
      expect(m * 255).toBeGreaterThan(100);
      expect(variance[c]).toBeGreaterThan(0.01);
    }
  });
});
