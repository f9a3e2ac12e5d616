import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { loadBuiltinSample } from '../../../core/data/builtin-sample.js';
import { channelStatistics, type ImageDataset, type Normalisation } from '../../../core/data/image-dataset.js';
import { takeRecords } from '../../../core/data/splits.js';
import { buildChannelGraph, type ChannelGraph } from '../../../core/graph/channel-graph.js';
import { l1Norm } from '../../../core/importance/l1-norm.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { readAsset } from '../../../core/node/assets.js';
import { fileCache } from '../../../core/node/file-cache.js';
import { measureSensitivity } from '../../../core/session/sensitivity-step.js';

let model: tfl.LayersModel;
let graph: ChannelGraph;
let scores: Map<number, Float32Array>;
let train: ImageDataset;
let norm: Normalisation;
let evaluations = 0;
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-cache-'));
const config = { criterion: 'l1', seed: 1, sensitivityRatios: [0.5], sensitivityImages: 100 };

beforeAll(async () => {
  await wasmCandidate.load();
  train = takeRecords(
    (await loadBuiltinSample(readAsset)).train,
    Int32Array.from({ length: 300 }, (_, i) => i),
  );
  norm = channelStatistics(train);
  model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 4 });
  graph = buildChannelGraph(model);
  scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
  // Every forward pass of the analysis goes through apply: count them.
  const apply = model.apply.bind(model);
  model.apply = (...args: Parameters<typeof apply>) => (evaluations++, apply(...args));
});
afterAll(() => model.dispose());

async function measure(overrides: Partial<typeof config> = {}, cache = fileCache(folder)) {
  evaluations = 0;
  const warnings: string[] = [];
  const result = await measureSensitivity(model, graph, scores, train, norm, { ...config, ...overrides }, { cache, warnings });
  return { ...result, warnings, evaluations };
}

describe('cached sensitivity tables', () => {
  it('measures once, then answers from the cache without evaluating', async () => {
    const first = await measure();
    expect(first.cached).toBe(false);
    expect(first.evaluations).toBe(1 + first.table.rows.length); // baseline + one ratio per group, one batch each
    expect(readdirSync(folder)).toEqual([expect.stringMatching(/^sensitivity-[0-9a-f]{64}\.json$/)]);
    const second = await measure();
    expect(second).toMatchObject({ cached: true, evaluations: 0, warnings: [] });
    expect(second.table).toEqual(first.table);
  });

  it('measures again for other ratios, another subset or other scores', async () => {
    expect((await measure({ sensitivityRatios: [0.25, 0.5] })).cached).toBe(false);
    expect((await measure({ seed: 2 })).cached).toBe(false); // another seed: another subset
    // One weight the scores do not look at (a batch-norm offset) still makes it another model.
    const bn = model.getLayer('block4_bn');
    const original = bn.getWeights().map((w) => w.clone());
    const shifted = tf.add(original[1], 1e-3);
    bn.setWeights([original[0], shifted, ...original.slice(2)]);
    shifted.dispose();
    expect((await measure()).cached).toBe(false);
    bn.setWeights(original);
    tf.dispose(original);
    expect((await measure()).cached).toBe(true);
    expect(readdirSync(folder)).toHaveLength(4);
  });

  it('ignores a corrupt entry with a warning, measures again and repairs it', async () => {
    const good = await measure();
    const [file] = readdirSync(folder).filter((f) => f.endsWith('.json'));
    for (const name of readdirSync(folder))
      writeFileSync(join(folder, name), name === file ? '{"format":"pruneflow-sensitivity","version":1,"key":' : 'garbage');
    const repaired = await measure();
    expect(repaired.cached).toBe(false);
    expect(repaired.evaluations).toBeGreaterThan(0);
    expect(repaired.warnings).toEqual([expect.stringMatching(/^ignored an unreadable sensitivity cache entry \(not JSON .*\); measured again$/)]);
    expect(repaired.table).toEqual(good.table);
    expect(await measure()).toMatchObject({ cached: true, evaluations: 0 });
  });

  it('goes on without a cache it can neither read nor write, with warnings', async () => {
    const notAFolder = join(folder, 'a-file');
    writeFileSync(notAFolder, '');
    const result = await measure({}, fileCache(join(notAFolder, 'cache')));
    expect(result.cached).toBe(false);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^ignored an unreadable sensitivity cache entry \(ENOTDIR/),
      expect.stringMatching(/^could not store the sensitivity table in the cache: .*(ENOTDIR|EEXIST)/),
    ]);
  });
});
