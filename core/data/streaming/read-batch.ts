import type { AugmentDraw } from '../augmentation.js';
import { type Batch, makeBatch } from '../batches.js';
import type { ImageDataset, Normalisation } from '../image-dataset.js';

/**
 * `makeBatch` for any data set: held in memory, the batch is made at once; streamed, its records are read
 * (from the cache, or decoded from their files) first. The tensors are the same either way.
 */
export async function readBatch(dataset: ImageDataset, indices: ArrayLike<number>, norm: Normalisation, draws?: AugmentDraw[]): Promise<Batch> {
  if (!dataset.stream) return makeBatch(dataset, indices, norm, draws);
  const local = await readRecords(dataset, indices);
  return makeBatch(
    local,
    Int32Array.from(local.labels, (_, i) => i),
    norm,
    draws,
  );
}

/** The records at `indices` as a small data set held in memory, in that order (a batch, a shard, a sample). */
export async function readRecords(dataset: ImageDataset, indices: ArrayLike<number>): Promise<ImageDataset> {
  const labels = Uint8Array.from(indices, (i) => dataset.labels[i]);
  const images = dataset.stream ? await dataset.stream.read(indices) : copyRecords(dataset, indices);
  const { stream: _, ...rest } = dataset;
  return { ...rest, images, labels, count: indices.length };
}

/** The whole data set held in memory: itself when it is, else every record read (for samples small enough to hold). */
export async function heldInMemory(dataset: ImageDataset): Promise<ImageDataset> {
  if (!dataset.stream) return dataset;
  return readRecords(
    dataset,
    Int32Array.from({ length: dataset.count }, (_, i) => i),
  );
}

/** Starts reading records a step ahead where the data set streams; nothing to do when it is held. */
export function prefetch(dataset: ImageDataset, indices: ArrayLike<number>): void {
  if (indices.length > 0) dataset.stream?.prefetch(indices);
}

function copyRecords(dataset: ImageDataset, indices: ArrayLike<number>): Uint8Array {
  const size = dataset.height * dataset.width * dataset.channels;
  const images = new Uint8Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) images.set(dataset.images.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
  return images;
}
