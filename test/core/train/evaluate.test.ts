import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import type { TaskProgress } from '../../../core/api/contract.js';
import type { ImageDataset } from '../../../core/data/image-dataset.js';
import { evaluate } from '../../../core/train/evaluate.js';

beforeAll(async () => {
  await wasmCandidate.load();
});

/** Logits that ignore the image: the dense layer's kernel is zero, its bias is `logits`. */
function fixedLogits(logits: number[]): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [1, 1, 1] }), tfl.layers.dense({ units: logits.length })] });
  model.setWeights([tf.zeros([1, logits.length]), tf.tensor1d(logits)]);
  return model;
}

function images(labels: number[], classes: number): ImageDataset {
  const count = labels.length;
  return {
    name: 'labels',
    images: new Uint8Array(count),
    labels: Uint8Array.from(labels),
    count,
    height: 1,
    width: 1,
    channels: 1,
    classNames: Array.from({ length: classes }, (_, i) => `c${i}`),
  };
}

const norm = { mean: [0], std: [1] };

describe('evaluation', () => {
  it('counts top-1 and top-5 hits as computed by hand, reporting every batch', async () => {
    // Ranking of the classes: 4 (0.9), 0 (0.7), 6 (0.6), 2 (0.5), 3 (0.3), 5 (0.2), 1 (0.1).
    const model = fixedLogits([0.7, 0.1, 0.5, 0.3, 0.9, 0.2, 0.6]);
    // Top-1 hits: the one 4. Top-5 hits: 4, 0, 3, 2, 6; misses: 1, 5, 1.
    const data = images([4, 0, 1, 5, 3, 2, 6, 1], 7);
    const progress: TaskProgress[] = [];
    const result = await evaluate(model, data, norm, { batchSize: 3, onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ top1: 1 / 8, top5: 5 / 8 });
    // Per class: images and right answers (only class 4 is ever predicted).
    expect(result.perClass.map((c) => [c.name, c.images, c.correct])).toEqual([
      ['c0', 1, 0],
      ['c1', 2, 0],
      ['c2', 1, 0],
      ['c3', 1, 0],
      ['c4', 1, 1],
      ['c5', 1, 0],
      ['c6', 1, 0],
    ]);
    expect(progress.map((p) => [p.stage, p.step, p.total])).toEqual([
      ['evaluating', 1, 3],
      ['evaluating', 2, 3],
      ['evaluating', 3, 3],
    ]);
    expect(progress[2].message).toBe('8 of 8 images');
    model.dispose();
  });

  it('has no top-5 with 5 classes or fewer (every class would be in it)', async () => {
    const model = fixedLogits([0.1, 0.2, 0.3, 0.4, 0.5]);
    const result = await evaluate(model, images([4, 4, 0, 1], 5), norm);
    expect(result.top1).toBe(0.5);
    expect(result).not.toHaveProperty('top5');
    model.dispose();
  });

  it('breaks ties as argMax does: equal logits give the lower class', async () => {
    const model = fixedLogits([1, 1, 1, 1, 1, 1, 1]);
    // Top-1 is class 0, top-5 classes 0-4.
    expect(await evaluate(model, images([0, 1, 4, 5, 6], 7), norm)).toMatchObject({ top1: 1 / 5, top5: 3 / 5 });
    model.dispose();
  });
});
