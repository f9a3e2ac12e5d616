// A run's data set larger than its data memory budget streams from disk: the setting decides, the run says so,
// and what the run derives from the whole training set (channel statistics) comes out as from memory. In Node the
// budget is the whole process's: what it holds as the folder opens (its real resident set) comes off the cache.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig } from '../../../core/api/contract.js';
import { BUDGET_MARGIN, DataMemoryBudgetError } from '../../../core/data/streaming/memory-budget.js';
import { channelStatistics } from '../../../core/data/image-dataset.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { readAsset } from '../../../core/node/assets.js';
import { openDataSource } from '../../../core/node/open-data-source.js';
import { nodeResidentMemory } from '../../../core/node/resident-memory.js';
import { settingsRows } from '../../../core/report/settings-rows.js';
import { resolveRunInput } from '../../../core/session/run-input.js';
import { loadRunData } from '../../../core/session/run-inputs.js';

const SIZE = 128;
/** 400 images of 128x128x3 = 18.75 MiB decoded: more than a 16 MiB cache, far less than the default 2 GiB. */
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

/** The Node engine's host: the budget covers the whole process. */
const host = { readAsset, openDataSource, residentMemory: nodeResidentMemory };
const MiB = 2 ** 20;
/** A whole-process budget that leaves the images about 8 MiB beside what this process holds now: less than their 18.75 MiB. */
const tightBudget = () => Math.ceil((nodeResidentMemory() + BUDGET_MARGIN) / MiB) + 8;
const config = (extra: Partial<PruneConfig> = {}): PruneConfig => ({ ...DEFAULT_PRUNE_CONFIG, model: 'demo-cnn', data: folder, seed: 1, ...extra });
// Opened once streamed before any budget is measured: the code that opens a folder is loaded, so this process's
// resident memory moves little between a test's reading and the run's own.
beforeAll(async () => void (await loadRunData(config({ dataMemoryBudget: 16 }), { readAsset, openDataSource })));

describe('a run whose images exceed its data memory budget', () => {
  it('streams them from disk and says so; within the default budget they are held as before', async () => {
    const budget = tightBudget();
    const before = nodeResidentMemory();
    const streamed = await loadRunData(config({ dataMemoryBudget: budget }), host);
    const after = nodeResidentMemory();
    expect(streamed.train.stream).toBeDefined();
    expect(streamed.test.stream).toBeDefined();
    const said = new RegExp(
      'streamed from disk: 400 images would take 19 MiB decoded, more than the (\\d+) MiB that the data memory budget of ' +
        `${budget} MiB leaves for images \\(the process held (\\d+) MiB as the folder opened; 256 MiB kept for decoding and batches\\)`,
    ).exec(streamed.warnings.join('\n'));
    expect(said).not.toBeNull();
    const [cacheMiB, residentMiB] = [Number(said![1]), Number(said![2])];
    // The reading is this process's own resident set, taken as the folder opened.
    expect(residentMiB).toBeGreaterThanOrEqual(Math.floor(Math.min(before, after) / MiB) - 16);
    expect(residentMiB).toBeLessThanOrEqual(Math.ceil(Math.max(before, after) / MiB) + 16);
    // The cache gets the rest: budget = what the process held + the margin + the cache.
    const { budget: cacheBytes } = streamed.train.stream!.usage;
    expect(Math.abs(cacheBytes - (budget * MiB - residentMiB * MiB - BUDGET_MARGIN))).toBeLessThanOrEqual(MiB / 2);
    expect(Math.abs(cacheMiB - cacheBytes / MiB)).toBeLessThanOrEqual(0.5);
    const held = await loadRunData(config(), host);
    expect(held.train.stream).toBeUndefined();
    expect(held.train.images.length).toBe(360 * SIZE * SIZE * 3);
    expect(Array.from(streamed.train.labels)).toEqual(Array.from(held.train.labels));
  });

  it('refuses, by name, a budget that the process already fills, saying which setting to raise', async () => {
    const refused = loadRunData(config({ dataMemoryBudget: 16 }), host);
    await expect(refused).rejects.toThrow(DataMemoryBudgetError);
    await expect(loadRunData(config({ dataMemoryBudget: 16 }), host)).rejects.toThrow(
      /data memory budget of 16 MiB cannot hold the images of .*: the process already holds \d+ MiB .*\(--data-memory-budget\) to more than \d+ MiB/,
    );
  });

  it('gives the images the whole budget in a host that cannot read its memory', async () => {
    const streamed = await loadRunData(config({ dataMemoryBudget: 16 }), { readAsset, openDataSource });
    expect(streamed.warnings.join('\n')).toMatch(/streamed from disk: 400 images would take 19 MiB decoded, more than the data memory budget of 16 MiB;/);
    expect(streamed.train.stream!.usage.budget).toBe(16 * MiB);
  });

  it('normalises by the same channel statistics (a sample of 1,000 holds all 360 training images)', async () => {
    const streamed = await loadRunData(config({ dataMemoryBudget: 16 }), { readAsset, openDataSource });
    const held = await loadRunData(config(), host);
    const model = buildDemoCnn({ inputShape: [SIZE, SIZE, 3], numClasses: 2 });
    const { norm } = await resolveRunInput(config(), streamed.train, model);
    const expected = channelStatistics(held.train);
    norm.mean.forEach((m, c) => expect(m).toBeCloseTo(expected.mean[c], 6));
    norm.std.forEach((s, c) => expect(s).toBeCloseTo(expected.std[c], 6));
    // Every training image was read through a cache that never held more than its budget.
    const usage = streamed.train.stream!.usage;
    expect(usage.decoded).toBeGreaterThanOrEqual(360);
    expect(usage.peak).toBeLessThanOrEqual(usage.budget);
    model.dispose();
  });

  it('shows the budget in the session settings', () => {
    expect(settingsRows(config({ dataMemoryBudget: 16 }))).toContainEqual(['Data memory budget', '16 MiB (larger image folders stream from disk)']);
  });
});
