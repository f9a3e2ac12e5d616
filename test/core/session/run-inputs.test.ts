import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig } from '../../../core/api/contract.js';
import { readAsset } from '../../../core/node/assets.js';
import { openDataSource } from '../../../core/node/open-data-source.js';
import { BUILTIN_DATA, loadRunData } from '../../../core/session/run-inputs.js';
import { writeSyntheticCifar } from './synthetic-cifar.js';

const host = { readAsset, openDataSource };
const config = (data: string, seed: number, extra: Partial<PruneConfig> = {}): PruneConfig => ({ ...DEFAULT_PRUNE_CONFIG, model: 'demo-cnn', data, seed, ...extra });

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
