/**
 * Data-parallel training on a streamed image folder: the coordinator reads each batch's records and sends each
 * replica its shard's, so two engines train exactly as they do on the same folder held in memory. The workers
 * run the compiled dist/core/node/training-worker.js (rebuilt when a core source is newer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { defaultAugmentation } from '../../../core/data/augmentation.js';
import { openDataset } from '../../../core/data/formats/index.js';
import type { ImageDataset } from '../../../core/data/image-dataset.js';
import { inlineDecoder } from '../../../core/data/streaming/decode-record.js';
import { openDataSource } from '../../../core/node/open-data-source.js';
import { nodeReplicaSpawner, trainingWorkerUrl } from '../../../core/node/training-workers.js';
import { fit } from '../../../core/train/fit.js';
import { buildNodeIfStale } from '../../build/run.js';
import { tinyModel, writeJpegFolder } from '../data/streaming/stream-fixtures.js';

const SIZE = 16;
let folder: string;
beforeAll(async () => {
  await buildNodeIfStale(trainingWorkerUrl());
  await wasmCandidate.load();
  folder = mkdtempSync(join(tmpdir(), 'pruneflow-parallel-stream-'));
  writeJpegFolder(folder, ['a', 'b'], 12, 9, SIZE);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('data-parallel training on a streamed folder', () => {
  it('ends with the weights of the same training on the folder held in memory', async () => {
    const held = (await openDataset(await openDataSource(folder))).splits.train;
    const budget = 6 * SIZE * SIZE * 3; // a quarter of the 24 images (18 for training)
    const streamed = (await openDataset(await openDataSource(folder), { stream: { budget, decoder: inlineDecoder() } })).splits.train;
    expect(streamed.stream).toBeDefined();
    const norm = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
    const train = async (data: ImageDataset) => {
      const model = tinyModel(SIZE, 2);
      const result = await fit(model, data, norm, {
        epochs: 2,
        batchSize: 8,
        learningRate: 0.01,
        seed: 3,
        stage: 'training',
        augmentation: defaultAugmentation('natural'),
        parallel: { replicas: 2, spawnReplica: nodeReplicaSpawner() },
      });
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return { result, weights };
    };
    const a = await train(held);
    const b = await train(streamed);
    expect([a.result.engines, b.result.engines]).toEqual([2, 2]);
    expect(b.result.loss).toBe(a.result.loss);
    expect(b.weights).toEqual(a.weights);
    expect(streamed.stream!.usage.peak).toBeLessThanOrEqual(budget);
  });
});
