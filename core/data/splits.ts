import type { ImageDataset } from './image-dataset.js';
import { seededRandom, shuffledIndices } from './random.js';

/** A new compact data set of the records at `indices` (copied: the source can then be dropped). */
export function takeRecords(dataset: ImageDataset, indices: ArrayLike<number>, name = dataset.name): ImageDataset {
  const recordSize = dataset.height * dataset.width * dataset.channels;
  const images = new Uint8Array(indices.length * recordSize);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i] * recordSize;
    images.set(dataset.images.subarray(from, from + recordSize), i * recordSize);
    labels[i] = dataset.labels[indices[i]];
  }
  return { ...dataset, name, images, labels, count: indices.length };
}

/**
 * Splits off a validation set, stratified by class so every class keeps its share, and seeded so the
 * same seed always gives the same split.
 */
export function splitValidation(dataset: ImageDataset, fraction: number, seed: number): { train: ImageDataset; validation: ImageDataset } {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`validation fraction must be between 0 and 1, got ${fraction}`);
  const random = seededRandom(seed);
  const byClass: number[][] = dataset.classNames.map(() => []);
  for (const index of shuffledIndices(dataset.count, random)) byClass[dataset.labels[index]].push(index);
  const train: number[] = [];
  const validation: number[] = [];
  for (const members of byClass) {
    const cut = Math.round(members.length * fraction);
    validation.push(...members.slice(0, cut));
    train.push(...members.slice(cut));
  }
  const sorted = (list: number[]) => Int32Array.from(list).sort();
  return {
    train: takeRecords(dataset, sorted(train), `${dataset.name} (train)`),
    validation: takeRecords(dataset, sorted(validation), `${dataset.name} (validation)`),
  };
}
