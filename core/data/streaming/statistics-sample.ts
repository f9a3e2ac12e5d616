import type { ImageDataset } from '../image-dataset.js';
import { sampleStratified } from '../splits.js';
import { heldInMemory } from './read-batch.js';

/** Images a streamed data set's channel statistics are taken on (stratified, seeded). */
export const STREAMED_STATISTICS_IMAGES = 1000;

/**
 * What per-channel statistics are taken on: the data set itself when it is held in memory (as before), else a
 * stratified sample of 1,000 of its images read into memory.
 */
export async function statisticsSample(dataset: ImageDataset): Promise<ImageDataset> {
  return dataset.stream ? heldInMemory(sampleStratified(dataset, STREAMED_STATISTICS_IMAGES, 1)) : dataset;
}
