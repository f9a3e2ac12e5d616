import type { LoadedDataset } from './formats/dataset-format.js';
import type { ImageDataset } from './image-dataset.js';
import { seededRandom, shuffledIndices } from './random.js';

/**
 * A new compact data set of the records at `indices` (copied: the source can then be dropped). A streamed
 * data set's images are not copied: the new one streams those records from the same files and cache.
 */
export function takeRecords(dataset: ImageDataset, indices: ArrayLike<number>, name = dataset.name): ImageDataset {
  if (dataset.stream) {
    const labels = Uint8Array.from(indices, (i) => dataset.labels[i]);
    return { ...dataset, name, labels, count: indices.length, stream: dataset.stream.subset(indices) };
  }
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
 * Splits off a share of the records, stratified by class so every class keeps its share, and seeded so
 * the same seed always gives the same split.
 */
export function splitStratified(dataset: ImageDataset, fraction: number, seed: number, names: [string, string]): [ImageDataset, ImageDataset] {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`split fraction must be between 0 and 1, got ${fraction}`);
  const random = seededRandom(seed);
  const byClass: number[][] = dataset.classNames.map(() => []);
  for (const index of shuffledIndices(dataset.count, random)) byClass[dataset.labels[index]].push(index);
  const kept: number[] = [];
  const held: number[] = [];
  for (const members of byClass) {
    const cut = Math.round(members.length * fraction);
    held.push(...members.slice(0, cut));
    kept.push(...members.slice(cut));
  }
  const sorted = (list: number[]) => Int32Array.from(list).sort();
  return [takeRecords(dataset, sorted(kept), names[0]), takeRecords(dataset, sorted(held), names[1])];
}

/** About `count` records (each class rounds its share), stratified and seeded; the whole set when it is no larger. */
export function sampleStratified(dataset: ImageDataset, count: number, seed: number): ImageDataset {
  if (count >= dataset.count) return dataset;
  return splitStratified(dataset, count / dataset.count, seed, [dataset.name, `${dataset.name} (sample)`])[1];
}

export function splitValidation(dataset: ImageDataset, fraction: number, seed: number): { train: ImageDataset; validation: ImageDataset } {
  const [train, validation] = splitStratified(dataset, fraction, seed, [`${dataset.name} (train)`, `${dataset.name} (validation)`]);
  return { train, validation };
}

/** Training and test sets of a loaded data set: its own test split, or a seeded hold-out of `testFraction`. */
export function trainTestSplit(loaded: LoadedDataset, testFraction: number, seed: number): { train: ImageDataset; test: ImageDataset; heldOut: boolean } {
  const { splits } = loaded;
  const train = splits.train ?? splits.all ?? Object.values(splits)[0];
  if (splits.test && splits.test !== train) return { train, test: splits.test, heldOut: false };
  const [kept, held] = splitStratified(train, testFraction, seed, [`${train.name} (train)`, `${train.name} (held-out test)`]);
  return { train: kept, test: held, heldOut: true };
}
