import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig } from '../../../core/api/contract.js';
import { readAsset } from '../../../core/node/assets.js';
import { openDataSource } from '../../../core/node/open-data-source.js';
import { openModelSource } from '../../../core/node/open-model-source.js';
import { exportModel } from '../../../core/models/io/export-model.js';
import { zooEntry } from '../../../core/models/zoo.js';
import { BUILTIN_DATA, InputMismatchError, loadRunData, loadRunInputs } from '../../../core/session/run-inputs.js';
import { writeSyntheticCifar } from './synthetic-cifar.js';

const host = { readAsset, openDataSource };
const config = (data: string, seed: number, extra: Partial<PruneConfig> = {}): PruneConfig => ({
  ...DEFAULT_PRUNE_CONFIG,
  model: 'demo-cnn',
  data,
  seed,
  ...extra,
});

// Sessions with other seeds are compared on their test accuracy: they must test on the same images.
describe('the images a run tests on', () => {
  it('are the same held-out images whatever the seed, when the data set has no test split', async () => {
    const folder = writeSyntheticCifar(join(mkdtempSync(join(tmpdir(), 'pruneflow-split-')), 'cifar'), 200, 10);
    rmSync(join(folder, 'test_batch.bin'));
    const [a, b] = await Promise.all([loadRunData(config(folder, 1), host), loadRunData(config(folder, 7), host)]);
    expect(a.test.count).toBe(40);
    expect(b.test.images).toEqual(a.test.images);
    expect(b.test.labels).toEqual(a.test.labels);
  });

  it('are the same quick-trial sample whatever the seed', async () => {
    const sample = { sample: { train: 300, test: 100 } };
    const [a, b] = await Promise.all([loadRunData(config(BUILTIN_DATA, 1, sample), host), loadRunData(config(BUILTIN_DATA, 7, sample), host)]);
    expect([a.train.count, a.test.count]).toEqual([300, 100]);
    expect(b.test.images).toEqual(a.test.images);
    expect(b.train.labels).toEqual(a.train.labels);
  });
});

// A trained model file and a data set that does not fit it: refused before any work, or fitted when asked.
describe('a model file checked against the data set at the start of a run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pruneflow-fit-'));
  const modelFile = (name: string) => join(dir, name, 'model.json');
  beforeAll(async () => {
    await tf.setBackend('cpu');
    // demo-cnn built for 32x32 colour images; the built-in sample is 28x28 gray with 10 classes.
    for (const [name, classes] of [
      ['colour10', 10],
      ['colour5', 5],
    ] as const) {
      const model = zooEntry('demo-cnn').build({ inputShape: [32, 32, 3], numClasses: classes });
      const folder = join(dir, name);
      mkdirSync(folder, { recursive: true });
      for (const f of await exportModel(model, 'tfjs')) writeFileSync(join(folder, f.name), f.bytes);
      model.dispose();
    }
  });
  const files = { readAsset, openDataSource, openModelSource };
  const sample = { sample: { train: 50, test: 20 } };

  it('refuses a 32x32 colour model on 28x28 gray images with a named error that says what to do', async () => {
    const model = modelFile('colour10');
    const failure = loadRunInputs({ ...config(BUILTIN_DATA, 1, sample), model }, files);
    await expect(failure).rejects.toThrow(InputMismatchError);
    await expect(failure).rejects.toThrow(
      /does not fit the data set\. The model takes 32×32 images; yours are 28×28\. The model takes colour .* What to do: let Pruneflow fit/,
    );
  });

  it('resizes and converts the images to the model when asked, and says so', async () => {
    const model = modelFile('colour10');
    const { data, model: loaded } = await loadRunInputs({ ...config(BUILTIN_DATA, 1, sample), model, fitInput: true }, files);
    loaded.dispose();
    for (const split of [data.train, data.test]) expect([split.height, split.width, split.channels]).toEqual([32, 32, 3]);
    expect(data.train.images.length).toBe(50 * 32 * 32 * 3);
    expect(data.warnings.join('\n')).toMatch(/images fitted to the model: Resize the images to 32×32/);
  });

  it('refuses other classes even when asked to fit the images: no conversion helps', async () => {
    const model = modelFile('colour5');
    await expect(loadRunInputs({ ...config(BUILTIN_DATA, 1, sample), model, fitInput: true }, files)).rejects.toThrow(
      /predicts 5 classes; the data set has 10\..*What to do: A pruned model keeps its classifier/,
    );
  });
});
