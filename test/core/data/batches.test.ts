import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { defaultAugmentation, drawAugmentation } from '../../../core/data/augmentation.js';
import { makeBatch } from '../../../core/data/batches.js';
import type { ImageDataset } from '../../../core/data/image-dataset.js';
import { seededRandom } from '../../../core/data/random.js';
import { splitValidation, trainTestSplit } from '../../../core/data/splits.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 3x3 RGB images whose pixel (y, x, c) holds 100 * (image % 2) + 10 * (3y + x) + c. */
function tinyDataset(count: number, classes = 2): ImageDataset {
  const images = new Uint8Array(count * 27);
  for (let i = 0; i < count; i++) for (let p = 0; p < 27; p++) images[i * 27 + p] = (i % 2) * 100 + 10 * Math.floor(p / 3) + (p % 3);
  // The first byte tells the images apart, so splits can be compared by content.
  for (let i = 0; i < count; i++) images[i * 27] = i;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  return { name: 'tiny', images, labels, count, height: 3, width: 3, channels: 3, classNames: ['a', 'b', 'c'].slice(0, classes) };
}

const identity = { mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] };

describe('batches', () => {
  it('turns uint8 images into float batches without changing them when not augmenting', () => {
    const batch = makeBatch(tinyDataset(2), [1], identity);
    expect(Array.from(batch.x.dataSync())).toEqual(Array.from(tinyDataset(2).images.subarray(27)));
    expect(Array.from(batch.y.dataSync())).toEqual([0, 1]);
  });

  it('shifts with zero padding and mirrors', () => {
    const batch = makeBatch(tinyDataset(1), [0], identity, [{ dy: 1, dx: 0, flip: true }]);
    const x = batch.x.arraySync() as number[][][][];
    // Row 0 of the output is row 1 of the input, mirrored: pixel (0, 0) reads (1, 2).
    expect(x[0][0][0]).toEqual([50, 51, 52]);
    expect(x[0][0][2]).toEqual([30, 31, 32]);
    // The last row reads below the image: zero padding.
    expect(x[0][2][1]).toEqual([0, 0, 0]);
  });

  it('draws crops within the padding and flips about half the time, reproducibly', () => {
    const random = seededRandom(4);
    const draws = Array.from({ length: 2000 }, () => drawAugmentation(defaultAugmentation('natural'), random));
    expect(Math.max(...draws.map((d) => Math.abs(d.dx)))).toBe(4);
    expect(Math.max(...draws.map((d) => Math.abs(d.dy)))).toBe(4);
    expect(draws.filter((d) => d.flip).length / 2000).toBeCloseTo(0.5, 1);
    const again = seededRandom(4);
    expect(drawAugmentation(defaultAugmentation('natural'), again)).toEqual(draws[0]);
    expect(drawAugmentation(defaultAugmentation('digits'), again)).toEqual({ dx: 0, dy: 0, flip: false });
  });
});

describe('validation split', () => {
  it('is stratified, disjoint, complete and seeded', () => {
    const data = tinyDataset(100);
    const { train, validation } = splitValidation(data, 0.2, 7);
    expect([train.count, validation.count]).toEqual([80, 20]);
    expect(Array.from(validation.labels).filter((l) => l === 0).length).toBe(10);
    const again = splitValidation(data, 0.2, 7);
    expect(again.validation.labels).toEqual(validation.labels);
    expect(again.validation.images).toEqual(validation.images);
    expect(splitValidation(data, 0.2, 8).validation.images).not.toEqual(validation.images);
  });
});

describe('train and test sets', () => {
  it("uses the files' own test split, or holds out a stratified, seeded share", () => {
    const data = tinyDataset(50);
    const own = trainTestSplit({ format: 'x', splits: { train: data, test: tinyDataset(10) }, classNames: data.classNames, warnings: [] }, 0.2, 1);
    expect([own.train.count, own.test.count, own.heldOut]).toEqual([50, 10, false]);
    const held = trainTestSplit({ format: 'x', splits: { all: data }, classNames: data.classNames, warnings: [] }, 0.2, 1);
    expect([held.train.count, held.test.count, held.heldOut]).toEqual([40, 10, true]);
    expect(Array.from(held.test.labels).filter((l) => l === 1)).toHaveLength(5);
    const trainFirstBytes = new Set(Array.from({ length: 40 }, (_, i) => held.train.images[i * 27]));
    expect(Array.from({ length: 10 }, (_, i) => held.test.images[i * 27]).some((b) => trainFirstBytes.has(b))).toBe(false);
  });
});
