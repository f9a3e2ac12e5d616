// A run's data set larger than its data memory budget streams from disk: the setting decides, the run says so,
// and what the run derives from the whole training set (channel statistics) comes out as from memory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig } from '../../../core/api/contract.js';
import { channelStatistics } from '../../../core/data/image-dataset.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { readAsset } from '../../../core/node/assets.js';
import { openDataSource } from '../../../core/node/open-data-source.js';
import { settingsRows } from '../../../core/report/settings-rows.js';
import { resolveRunInput } from '../../../core/session/run-input.js';
import { loadRunData } from '../../../core/session/run-inputs.js';

const SIZE = 128;
/** 400 images of 128x128x3 = 18.75 MiB decoded: more than a 16 MiB budget, far less than the default 2 GiB. */
const PER_CLASS = { train: 180, test: 20 };

let folder: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  folder = mkdtempSync(join(tmpdir(), 'pruneflow-run-stream-'));
  // Eight drawings, each written under many names (jpeg-js encodes slowly; how many differ does not matter here).
  const drawings = Array.from({ length: 8 }, (_, k) => {
    const data = new Uint8Array(SIZE * SIZE * 4);
    for (let p = 0; p < SIZE * SIZE; p++) data.set([(p * 7 + k * 30) % 256, (k * 31 + (p % SIZE)) % 256, (k * 5 + (p >> 7)) % 256, 255], p * 4);
    return jpeg.encode({ width: SIZE, height: SIZE, data }, 80).data;
  });
  for (const [split, count] of Object.entries(PER_CLASS)) {
    for (const [label, name] of ['dark', 'light'].entries()) {
      mkdirSync(join(folder, split, name), { recursive: true });
      for (let n = 0; n < count; n++) writeFileSync(join(folder, split, name, `${n}.jpg`), drawings[(n + label * 3) % drawings.length]);
    }
  }
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const host = { readAsset, openDataSource };
const config = (extra: Partial<PruneConfig> = {}): PruneConfig => ({ ...DEFAULT_PRUNE_CONFIG, model: 'demo-cnn', data: folder, seed: 1, ...extra });

describe('a run whose images exceed its data memory budget', () => {
  it('streams them from disk and says so; within the default budget they are held as before', async () => {
    const streamed = await loadRunData(config({ dataMemoryBudget: 16 }), host);
    expect(streamed.train.stream).toBeDefined();
    expect(streamed.test.stream).toBeDefined();
    expect(streamed.warnings.join('\n')).toMatch(/streamed from disk: 400 images would take 19 MiB decoded, more than the data memory budget of 16 MiB/);
    const held = await loadRunData(config(), host);
    expect(held.train.stream).toBeUndefined();
    expect(held.train.images.length).toBe(360 * SIZE * SIZE * 3);
    expect(Array.from(streamed.train.labels)).toEqual(Array.from(held.train.labels));
  });

  it('normalises by the same channel statistics (a sample of 1,000 holds all 360 training images)', async () => {
    const streamed = await loadRunData(config({ dataMemoryBudget: 16 }), host);
    const held = await loadRunData(config(), host);
    const model = buildDemoCnn({ inputShape: [SIZE, SIZE, 3], numClasses: 2 });
    const { norm } = await resolveRunInput(config(), streamed.train, model);
    const expected = channelStatistics(held.train);
    norm.mean.forEach((m, c) => expect(m).toBeCloseTo(expected.mean[c], 6));
    norm.std.forEach((s, c) => expect(s).toBeCloseTo(expected.std[c], 6));
    model.dispose();
  });

  it('shows the budget in the session settings', () => {
    expect(settingsRows(config({ dataMemoryBudget: 16 }))).toContainEqual(['Data memory budget', '16 MiB (larger image folders stream from disk)']);
  });
});
