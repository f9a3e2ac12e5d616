import { readdirSync, readFileSync } from 'node:fs';
import { decode as decodePng, encode as encodePng } from 'fast-png';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchClassOrder, relabel } from '../../../core/data/class-order.js';
import { memoryTree } from '../../../core/data/file-tree.js';
import type { ImageDataset } from '../../../core/data/image-dataset.js';
import { modelInputContract } from '../../../core/models/input-contract.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { openStoredModel, storeModel } from '../../../core/project/stored-model.js';
import { resolveRunInput } from '../../../core/session/run-input.js';
import { readAsset } from '../../../core/node/assets.js';
import { evaluateModel } from '../../../core/session/evaluate-model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe("matching a model's class names to the data set's", () => {
  it('keeps the order when the names agree (case, spaces, dashes and underscores aside)', () => {
    expect(matchClassOrder(['Golden_Retriever', 'tabby cat'], ['golden retriever', 'Tabby-Cat'])).toEqual({ kind: 'same' });
  });

  it('maps the same classes in another order by name', () => {
    const order = matchClassOrder(['cat', 'dog', 'bird'], ['bird', 'cat', 'dog']);
    expect(order).toMatchObject({ kind: 'mapped', toModel: [2, 0, 1] });
    expect(order.kind === 'mapped' && order.message).toMatch(/3 of 3 in another order: bird, cat, dog/);
  });

  it('says so, and maps nothing, when the names differ', () => {
    const order = matchClassOrder(['Class 1', 'Class 2'], ['apples', 'pears']);
    expect(order.kind).toBe('unmatched');
    expect(order.kind === 'unmatched' && order.message).toMatch(/Class 1, Class 2.*apples, pears.*compared by position/);
  });

  it('has nothing to say about classes that are only numbers, or a count that differs (the input check reports that)', () => {
    expect(matchClassOrder(['cat', 'dog'], ['0', '1'])).toEqual({ kind: 'same' });
    expect(matchClassOrder(['cat', 'dog', 'bird'], ['cat', 'dog'])).toEqual({ kind: 'same' });
  });

  it("renumbers the labels and keeps the data's own names in the model's order", () => {
    const data: ImageDataset = {
      name: 'x',
      images: new Uint8Array(4),
      labels: Uint8Array.of(0, 1, 2, 0),
      count: 4,
      height: 1,
      width: 1,
      channels: 1,
      classNames: ['bird', 'cat', 'dog'],
    };
    const mapped = relabel(data, [2, 0, 1]);
    expect([...mapped.labels]).toEqual([2, 0, 1, 2]);
    expect(mapped.classNames).toEqual(['cat', 'dog', 'bird']);
  });
});

describe('a Teachable Machine model on a class folder in another order', () => {
  const tmFolder = new URL('../../fixtures/models/keras/teachable_machine/', import.meta.url);
  const tmFiles = () => new Map(readdirSync(tmFolder).map((f) => [f, new Uint8Array(readFileSync(new URL(f, tmFolder)))]));
  // Unequal classes, so that scoring by position and scoring by name give different accuracies.
  const counts: Record<string, number> = { bird: 3, cat: 9, dog: 5 };
  const images = new Map<string, Uint8Array>();
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 256;
  for (const [name, count] of Object.entries(counts)) {
    for (let i = 0; i < count; i++) {
      const data = Uint8Array.from({ length: 32 * 32 * 3 }, random);
      for (const split of ['train', 'test']) images.set(`${split}/${name}/${i}.png`, encodePng({ width: 32, height: 32, channels: 3, depth: 8, data }));
    }
  }

  it("scores each image against the model's own name for its class", async () => {
    const host = { readAsset, openDataSource: async () => memoryTree('/data/pets', images) };
    const { model } = await importModel(memoryTree('tm', tmFiles()));
    const result = await evaluateModel({ model: 'tm', data: '/data/pets', open: async () => model }, host);

    // The independent answer: the model's prediction, named by its metadata, against the image's folder name.
    const { model: again } = await importModel(memoryTree('tm', tmFiles()));
    const labels = ['cat', 'dog', 'bird'];
    const folders = Object.keys(counts).sort();
    let byName = 0;
    let byPosition = 0;
    for (const [path, bytes] of images) {
      if (!path.startsWith('test/')) continue;
      const folder = path.split('/')[1];
      const pixels = tf.tidy(() => tf.sub(tf.div(tf.tensor(Array.from(decodePng(bytes).data), [1, 32, 32, 3]), 127.5), 1));
      const predicted = tf.tidy(() => tf.argMax(again.predict(pixels) as tf.Tensor, -1).dataSync()[0]);
      pixels.dispose();
      if (labels[predicted] === folder) byName++;
      if (predicted === folders.indexOf(folder)) byPosition++;
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(byName).not.toBe(byPosition);
    expect(result.top1).toBeCloseTo(byName / total, 6);
    expect(result.warnings.join('\n')).toMatch(/matched to the model's labels by name/);
    again.dispose();
  });
});

describe("the user's names for a model's classes", () => {
  it('replace the file’s in the contract the model is fed by, and a project keeps them with its baseline', async () => {
    const folder = new URL('../../fixtures/models/keras/teachable_machine/', import.meta.url);
    const files = new Map(readdirSync(folder).map((f) => [f, new Uint8Array(readFileSync(new URL(f, folder)))]));
    const { model } = await importModel(memoryTree('tm', files));
    expect(modelInputContract(model)?.labels).toEqual(['cat', 'dog', 'bird']);
    const count = 6;
    const train: ImageDataset = {
      name: 'x',
      images: Uint8Array.from({ length: count * 32 * 32 * 3 }, (_, i) => (i * 7) % 256),
      labels: Uint8Array.from({ length: count }, (_, i) => i % 3),
      count,
      height: 32,
      width: 32,
      channels: 3,
      classNames: ['kitten', 'puppy', 'sparrow'],
    };
    const names = ['kitten', 'puppy', 'sparrow'];
    const input = await resolveRunInput({ model: 'tm', input: { preset: 'tf' }, classNames: names }, train, model);
    expect(input.contract.labels).toEqual(names);
    const stored = await storeModel(model, 'tm', 0);
    expect(stored.inputContract?.labels).toEqual(names);
    const reopened = await openStoredModel(stored);
    expect(modelInputContract(reopened)?.labels).toEqual(names);
    model.dispose();
    reopened.dispose();
  });
});
