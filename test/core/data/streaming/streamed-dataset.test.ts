// A real folder of JPEG files on disk, opened in memory and streamed through a cache far smaller than the data
// set: the same records, the same batches for the same seed, the same training and evaluation, and a cache that
// never holds more than its budget (its bytes counted, nothing timed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAugmentation, drawAugmentation } from '../../../../core/data/augmentation.js';
import { batchIndices, makeBatch } from '../../../../core/data/batches.js';
import { DatasetFormatError } from '../../../../core/data/dataset-errors.js';
import { fitImages } from '../../../../core/data/fit-images.js';
import { openDataset } from '../../../../core/data/formats/index.js';
import { channelStatistics, type ImageDataset, StreamedDataError } from '../../../../core/data/image-dataset.js';
import { seededRandom, shuffledIndices } from '../../../../core/data/random.js';
import { splitValidation, takeRecords } from '../../../../core/data/splits.js';
import { inlineDecoder } from '../../../../core/data/streaming/decode-record.js';
import { heldInMemory, readBatch } from '../../../../core/data/streaming/read-batch.js';
import { openDataSource } from '../../../../core/node/open-data-source.js';
import { evaluate } from '../../../../core/train/evaluate.js';
import { fit } from '../../../../core/train/fit.js';
import { classJpeg, tinyModel, writeJpegFolder } from './stream-fixtures.js';

const SIZE = 16;
const CLASSES = ['ant', 'bee', 'cat'];
const PER_CLASS = 14;
const RECORD = SIZE * SIZE * 3;
/** Room for 10 of the 42 images: every pass over the data set evicts and decodes again. */
const BUDGET = 10 * RECORD;

const jpg = (label: number, n: number) => classJpeg(SIZE, label, n);

let folder: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  folder = mkdtempSync(join(tmpdir(), 'pruneflow-stream-'));
  writeJpegFolder(folder, CLASSES, PER_CLASS, 10, SIZE);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const inMemory = async () => (await openDataset(await openDataSource(folder))).splits;
const streamed = async (budget = BUDGET) => (await openDataset(await openDataSource(folder), { stream: { budget, decoder: inlineDecoder() } })).splits;
const norm = { mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.3] };

async function sameBatches(held: ImageDataset, stream: ImageDataset, seed: number, batchSize: number) {
  const random = seededRandom(seed);
  const augmentation = defaultAugmentation('natural');
  for (const indices of batchIndices(shuffledIndices(held.count, random), batchSize)) {
    const draws = Array.from(indices, () => drawAugmentation(augmentation, random));
    const a = makeBatch(held, indices, norm, draws);
    const b = await readBatch(stream, indices, norm, draws);
    expect(Array.from(await b.x.data())).toEqual(Array.from(await a.x.data()));
    expect(Array.from(await b.y.data())).toEqual(Array.from(await a.y.data()));
    tf.dispose([a.x, a.y, b.x, b.y]);
  }
}

describe('an image folder larger than the memory budget', () => {
  it('streams each split with the labels, classes and shape of the in-memory reader, and stays in memory when it fits', async () => {
    const held = await inMemory();
    const loaded = await openDataset(await openDataSource(folder), { stream: { budget: BUDGET, decoder: inlineDecoder() } });
    expect(loaded.warnings.join(' ')).toMatch(/streamed from disk: 42 images/);
    for (const split of ['train', 'test']) {
      const stream = loaded.splits[split];
      expect(stream.stream).toBeDefined();
      expect(stream.images.length).toBe(0);
      expect([stream.count, stream.height, stream.width, stream.channels]).toEqual([held[split].count, SIZE, SIZE, 3]);
      expect(Array.from(stream.labels)).toEqual(Array.from(held[split].labels));
      expect(stream.classNames).toEqual(CLASSES);
    }
    // Every decoded image fits: read into memory as before.
    const fits = await streamed(42 * RECORD);
    expect(fits.train.stream).toBeUndefined();
    expect(Array.from(fits.train.images)).toEqual(Array.from(held.train.images));
  });

  it('gives the same augmented batches for the same seed, over two epochs, with a cache of a quarter of the images', async () => {
    const held = await inMemory();
    const stream = await streamed();
    await sameBatches(held.train, stream.train, 5, 8);
    await sameBatches(held.train, stream.train, 6, 8);
    await sameBatches(held.test, stream.test, 7, 5);
    const usage = stream.train.stream!.usage;
    expect(usage.peak).toBeLessThanOrEqual(BUDGET);
    expect(usage.bytes).toBeLessThanOrEqual(BUDGET);
    expect(usage.records).toBeLessThanOrEqual(10);
    // Evicted images were decoded again: 42 files, read far more often than once.
    expect(usage.decoded).toBeGreaterThan(42);
  });

  it('keeps every image when the budget holds them all, decoding each file once', async () => {
    const stream = await streamed(42 * RECORD - 1); // one byte short of holding them: streamed, yet 41 stay
    await sameBatches((await inMemory()).train, stream.train, 5, 8);
    const before = stream.train.stream!.usage.decoded;
    expect(before).toBe(30);
    await heldInMemory(stream.train);
    expect(stream.train.stream!.usage.decoded - before).toBeLessThanOrEqual(1);
  });

  it('cuts splits and samples without reading images, and reads them as the in-memory ones', async () => {
    const held = await inMemory();
    const stream = await streamed();
    const decoded = stream.train.stream!.usage.decoded;
    const a = splitValidation(held.train, 0.3, 9);
    const b = splitValidation(stream.train, 0.3, 9);
    const picked = takeRecords(stream.train, [29, 3, 17]);
    expect(stream.train.stream!.usage.decoded).toBe(decoded);
    expect(Array.from(b.validation.labels)).toEqual(Array.from(a.validation.labels));
    expect(Array.from((await heldInMemory(b.validation)).images)).toEqual(Array.from(a.validation.images));
    expect(Array.from((await heldInMemory(picked)).images)).toEqual(Array.from(takeRecords(held.train, [29, 3, 17]).images));
  });

  it("decodes straight to the model's input shape when fitted (as a folder read at that size)", async () => {
    const atEight = (await openDataset(await openDataSource(folder), { imageSize: { height: 8, width: 8 } })).splits.train;
    const fitted = fitImages((await streamed()).train, { height: 8, width: 8, channels: 1 });
    expect([fitted.height, fitted.width, fitted.channels]).toEqual([8, 8, 1]);
    expect(Array.from((await heldInMemory(fitted)).images)).toEqual(Array.from(fitImages(atEight, { height: 8, width: 8, channels: 1 }).images));
  });

  it('trains and evaluates to the same weights and accuracy as the in-memory data set', async () => {
    const held = await inMemory();
    const stream = await streamed();
    const train = async (data: ImageDataset) => {
      const model = tinyModel(SIZE, 3);
      const options = { epochs: 2, batchSize: 8, learningRate: 0.01, seed: 4, stage: 'training', augmentation: defaultAugmentation('natural') };
      const result = await fit(model, data, norm, options);
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      return { result, weights, evaluation: await evaluate(model, data === held.train ? held.test : stream.test, norm, { batchSize: 4 }) };
    };
    const a = await train(held.train);
    const b = await train(stream.train);
    expect(b.result.loss).toBe(a.result.loss);
    expect(b.weights).toEqual(a.weights);
    expect(b.evaluation).toEqual(a.evaluation);
    expect(stream.train.stream!.usage.peak).toBeLessThanOrEqual(BUDGET);
  });

  it('refuses, by name, to be used where every pixel must be in memory', async () => {
    const { train } = await streamed();
    expect(() => makeBatch(train, [0], norm)).toThrow(StreamedDataError);
    expect(() => channelStatistics(train)).toThrow(StreamedDataError);
  });

  it('reports a broken file when its batch is read, naming it', async () => {
    writeFileSync(join(folder, 'train', 'bee', '3.jpg'), Uint8Array.of(0xff, 0xd8, 0xff, 0xd9));
    try {
      const { train } = await streamed();
      const broken = train.classNames.indexOf('bee') * 10 + 3;
      await expect(readBatch(train, [0, broken], norm)).rejects.toThrow(DatasetFormatError);
      await expect(readBatch(train, [broken], norm)).rejects.toThrow(/bee\/3\.jpg/);
    } finally {
      writeFileSync(join(folder, 'train', 'bee', '3.jpg'), jpg(1, 3));
    }
  });
});
