import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeBatch } from '../../../core/data/batches.js';
import { memoryTree } from '../../../core/data/file-tree.js';
import type { ImageDataset } from '../../../core/data/image-dataset.js';
import {
  contractNormalisation,
  INPUT_PRESETS,
  modelInputContract,
  optionsContract,
  presetContract,
  rememberInputContract,
  type InputContract,
  type InputPreset,
} from '../../../core/models/input-contract.js';
import { exportModel, type ExportFormat } from '../../../core/models/io/export-model.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { openStoredModel, storeModel } from '../../../core/project/stored-model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** One 2x1 RGB image: pixels (10, 120, 250) and (0, 255, 64). */
const image: ImageDataset = {
  name: 't',
  images: Uint8Array.of(10, 120, 250, 0, 255, 64),
  labels: Uint8Array.of(0),
  count: 1,
  height: 1,
  width: 2,
  channels: 3,
  classNames: ['a', 'b'],
};

/** What each preset feeds the model, written out from its definition (Keras, torchvision and Teachable Machine docs). */
const FED: Record<Exclude<InputPreset, 'dataset-stats'>, (p: number, c: number, rgb: number[]) => number> = {
  raw: (p) => p,
  unit: (p) => p / 255,
  tf: (p) => p / 127.5 - 1,
  imagenet: (p, c) => (p / 255 - [0.485, 0.456, 0.406][c]) / [0.229, 0.224, 0.225][c],
  caffe: (_p, c, rgb) => rgb[2 - c] - [103.939, 116.779, 123.68][c],
};

describe('input contracts as the batches feed them', () => {
  it.each(Object.keys(FED) as (keyof typeof FED)[])('%s feeds each pixel as its definition says', (preset) => {
    const norm = contractNormalisation(presetContract(preset), 3, () => ({ mean: [], std: [] }));
    const batch = makeBatch(image, [0], norm);
    const got = batch.x.dataSync();
    const want = [0, 1].flatMap((px) => [0, 1, 2].map((c) => FED[preset](image.images[px * 3 + c], c, Array.from(image.images.subarray(px * 3, px * 3 + 3)))));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
    tf.dispose([batch.x, batch.y]);
  });

  it('takes a per-pixel mean image off after scaling (as the Keras CIFAR ResNets were trained)', () => {
    const meanImage = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    const contract: InputContract = { ...presetContract('unit'), preset: 'custom', meanImage };
    const batch = makeBatch(
      image,
      [0],
      contractNormalisation(contract, 3, () => ({ mean: [], std: [] })),
    );
    Array.from(batch.x.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(image.images[i] / 255 - meanImage[i], 5));
    tf.dispose([batch.x, batch.y]);
  });

  it('builds custom contracts from the options (a preset changed by scale, mean or std)', () => {
    expect(optionsContract({ preset: 'tf' })).toEqual(expect.objectContaining({ preset: 'tf', scale: '-1-1' }));
    expect(optionsContract({ scale: '0-255', mean: [127.5], std: [127.5] })).toEqual(
      expect.objectContaining({ preset: 'custom', scale: '0-255', mean: [127.5], std: [127.5] }),
    );
    const norm = contractNormalisation(optionsContract({ scale: '0-255', mean: [127.5], std: [127.5] }), 3, () => ({ mean: [], std: [] }));
    const batch = makeBatch(image, [0], norm);
    Array.from(batch.x.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(image.images[i] / 127.5 - 1, 5));
    tf.dispose([batch.x, batch.y]);
    expect(Object.keys(INPUT_PRESETS)).toEqual(['raw', 'unit', 'tf', 'imagenet', 'caffe', 'dataset-stats']);
  });
});

describe('input contracts read from files', () => {
  it("reads a Teachable Machine export's metadata: [-1, 1], its labels and image size", async () => {
    const dir = new URL('../../fixtures/models/keras/teachable_machine/', import.meta.url);
    const files = new Map(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(new URL(f, dir)))]));
    const { model, inputContract } = await importModel(memoryTree('tm', files));
    expect(inputContract).toEqual(
      expect.objectContaining({ preset: 'tf', scale: '-1-1', colorOrder: 'rgb', labels: ['cat', 'dog', 'bird'], size: [32, 32, 3], source: 'file' }),
    );
    expect(modelInputContract(model)).toEqual(inputContract);
  });

  it.each(['tfjs', 'keras', 'keras-h5'] as ExportFormat[])('a Pruneflow %s export carries the contract, and opening it gives it back', async (format) => {
    const model = buildDemoCnn({ inputShape: [8, 8, 3], numClasses: 3, seed: 1 });
    const contract: InputContract = { ...presetContract('imagenet'), labels: ['x', 'y', 'z'], source: 'detected' };
    rememberInputContract(model, contract);
    const files = await exportModel(model, format);
    const { inputContract } = await importModel(memoryTree('export', new Map(files.map((f) => [f.name, f.bytes]))));
    expect(inputContract).toEqual({ ...contract, source: 'file' });
  });

  it('a project keeps the contract with its baseline', async () => {
    const model = buildDemoCnn({ inputShape: [8, 8, 3], numClasses: 3, seed: 1 });
    rememberInputContract(model, presetContract('tf', 'detected'));
    const stored = await storeModel(model, 'mine.h5', 0);
    expect(stored.inputContract?.preset).toBe('tf');
    expect(modelInputContract(await openStoredModel(stored))).toEqual(presetContract('tf', 'detected'));
  });
});
