import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeBatch } from '../../../core/data/batches.js';
import { loadBuiltinSample } from '../../../core/data/builtin-sample.js';
import { channelStatistics } from '../../../core/data/image-dataset.js';
import { readAsset } from '../../../core/node/assets.js';

describe('built-in sample', () => {
  it('ships 5,000 training and 1,000 test images, balanced over the 10 classes', async () => {
    const { train, test } = await loadBuiltinSample(readAsset);
    expect([train.count, test.count]).toEqual([5000, 1000]);
    for (const [set, perClass] of [
      [train, 500],
      [test, 100],
    ] as const) {
      const counts = new Array(10).fill(0);
      for (const label of set.labels) counts[label]++;
      expect(counts).toEqual(new Array(10).fill(perClass));
    }
  });

  it('normalises batches to zero mean and unit deviation per channel', async () => {
    await tf.setBackend('cpu');
    const { train } = await loadBuiltinSample(readAsset);
    const norm = channelStatistics(train);
    const batch = makeBatch(
      train,
      Int32Array.from({ length: 5000 }, (_, i) => i),
      norm,
    );
    const { mean, variance } = tf.moments(batch.x);
    expect(mean.dataSync()[0]).toBeCloseTo(0, 3);
    expect(variance.dataSync()[0]).toBeCloseTo(1, 3);
    expect(batch.y.shape).toEqual([5000, 10]);
    tf.dispose([batch.x, batch.y, mean, variance]);
  });
});
