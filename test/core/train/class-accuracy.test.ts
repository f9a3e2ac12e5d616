import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import type { ImageDataset } from '../../../core/data/image-dataset.js';
import { classAccuracy } from '../../../core/train/class-accuracy.js';
import { evaluate } from '../../../core/train/evaluate.js';

beforeAll(() => wasmCandidate.load());

/** Logits [x, 0.5, -x] of the one pixel x in 0..1: class 0 above a half, class 1 below, class 2 never. */
function thresholdModel(): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [1, 1, 1] }), tfl.layers.dense({ units: 3 })] });
  model.layers[1].setWeights([tf.tensor2d([[1, 0, -1]]), tf.tensor1d([0, 0.5, 0])]);
  return model;
}

const dataset = (pixels: number[], labels: number[], classNames: string[]): ImageDataset => ({
  name: 'hand-made',
  images: Uint8Array.from(pixels),
  labels: Uint8Array.from(labels),
  count: pixels.length,
  height: 1,
  width: 1,
  channels: 1,
  classNames,
});
const plain = { mean: [0], std: [1] }; // the pixel scaled to 0..1, nothing more

describe('classAccuracy', () => {
  it('counts right answers per class, worked out by hand', async () => {
    // Predicted: 0, 0, 1, 1, 0, 1.
    const data = dataset([255, 200, 0, 50, 255, 0], [0, 1, 1, 1, 2, 2], ['a', 'b', 'c']);
    const result = await classAccuracy(thresholdModel(), data, plain, { batchSize: 4 });
    expect(result.top1).toBe(3 / 6);
    expect(result.top5).toBeUndefined();
    expect(result.perClass).toEqual([
      { name: 'a', images: 1, accuracy: 1 },
      { name: 'b', images: 3, accuracy: 2 / 3 },
      { name: 'c', images: 2, accuracy: 0 },
    ]);
  });

  it('agrees with evaluate on top-1 and top-5, and marks a class without test images', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [2, 2, 1] }), tfl.layers.dense({ units: 7, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) })],
    });
    const pixels = Array.from({ length: 40 * 4 }, (_, i) => (i * 97) % 256);
    const labels = Array.from({ length: 40 }, (_, i) => (i * 5) % 6); // class 6 has none
    const data = { ...dataset(pixels, labels, ['0', '1', '2', '3', '4', '5', '6']), count: 40, height: 2, width: 2 };
    const mine = await classAccuracy(model, data, plain, { batchSize: 16 });
    const reference = await evaluate(model, data, plain, { batchSize: 16 });
    expect(mine.top1).toBe(reference.top1);
    expect(mine.top5).toBe(reference.top5);
    expect(mine.perClass[6]).toEqual({ name: '6', images: 0, accuracy: Number.NaN });
    const right = mine.perClass.filter((c) => c.images > 0).reduce((n, c) => n + c.accuracy * c.images, 0);
    expect(right).toBeCloseTo(mine.top1 * 40, 9);
  });
});
