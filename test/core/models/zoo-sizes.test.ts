import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { countFlops, countTrainableParameters } from '../../../core/models/model-cost.js';
import { MODEL_ZOO } from '../../../core/models/zoo.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('zoo sizes against the published counts', () => {
  it.each(MODEL_ZOO.filter((e) => e.published).map((entry) => ({ id: entry.id, entry })))('$id within 1%', ({ entry }) => {
    const model = entry.build({ inputShape: [32, 32, 3], numClasses: 10 });
    const { parameters, flops } = entry.published!;
    expect(Math.abs(countTrainableParameters(model) / parameters - 1)).toBeLessThan(0.01);
    expect(Math.abs(countFlops(model) / flops - 1)).toBeLessThan(0.01);
    model.dispose();
  });
});
