import { readFileSync } from 'node:fs';
import { encode as encodePng } from 'fast-png';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRUNE_CONFIG } from '../../../core/api/run-options.js';
import { cpuCandidate } from '../../../core/backend/portable-candidates.js';
import { memoryTree } from '../../../core/data/file-tree.js';
import type { ImageDataset } from '../../../core/data/image-dataset.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { l1Norm } from '../../../core/importance/l1-norm.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { SharedLayerError } from '../../../core/models/model-calls.js';
import { readAsset } from '../../../core/node/assets.js';
import { planPruning } from '../../../core/prune/budget.js';
import { pruneModel } from '../../../core/prune/surgery.js';
import { createEngine } from '../../../core/session/engine.js';
import { runPruning } from '../../../core/session/prune-run.js';
import { runSensitivity } from '../../../core/session/sensitivity-run.js';
import { fit } from '../../../core/train/fit.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const FIXTURES = new URL('../../fixtures/models/keras/', import.meta.url);
const modelTree = (path: string) => {
  const name = path.split('/').at(-1)!;
  return memoryTree(name, new Map([[name, new Uint8Array(readFileSync(new URL(name, FIXTURES)))]]));
};

/** Four classes of random 8x8 colour images, in train/ and test/ folders (shared_block.keras predicts 4 classes). */
function imageFolders(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 256;
  for (const name of ['a', 'b', 'c', 'd'])
    for (let i = 0; i < 4; i++)
      for (const split of ['train', 'test'])
        files.set(`${split}/${name}/${i}.png`, encodePng({ width: 8, height: 8, channels: 3, depth: 8, data: Uint8Array.from({ length: 192 }, random) }));
  return files;
}

const host = { readAsset, openModelSource: async (path: string) => modelTree(path), openDataSource: async () => memoryTree('/data/small', imageFolders()) };
const stages: string[] = [];
const config = { ...DEFAULT_PRUNE_CONFIG, model: '/models/shared_block.keras', data: '/data/small', trainEpochs: 0, batchSize: 8, calibrationBatches: 1 };

/** shared_block.keras calls one Conv2D + BatchNormalization + ReLU block twice (make_shared_keras.py). */
describe('a model with a shared layer', () => {
  it('its pre-flight report names the criteria that cannot score it and why; a model without one lists none', async () => {
    const engine = createEngine({ host: 'test', candidates: [cpuCandidate], ...host });
    const report = await engine.inspectModel('/models/shared_block.keras');
    expect(report.unavailableCriteria?.map((c) => c.id)).toEqual(['cip', 'nisp']);
    expect(report.unavailableCriteria?.[0].reason).toMatch(/'block_conv' \(called 2 times\).*choose another criterion/);
    expect(report.summary.at(-1)).toMatch(/^Not available for this model: the cip and nisp criteria and the importance flow\. The model shares layer/);
    const plain = await engine.inspectModel('/models/cf_sequential.h5');
    expect(plain.unavailableCriteria).toBeUndefined();
  });

  it.each([
    [
      'a pruning run',
      () => runPruning({ ...config, criterion: 'cip', fineTuneEpochs: 1 }, { ...host, backend: 'cpu', onProgress: (p) => stages.push(p.stage) }),
    ],
    [
      'a sensitivity analysis',
      () => runSensitivity({ ...config, criterion: 'nisp', ranking: 'sensitivity' }, { ...host, backend: 'cpu', onProgress: (p) => stages.push(p.stage) }),
    ],
  ])('%s with CIP or NISP is refused by name before any work past loading', async (_, run) => {
    stages.length = 0;
    const attempt = run();
    await expect(attempt).rejects.toThrow(SharedLayerError);
    await expect(run()).rejects.toThrow(/'block_conv' \(called 2 times\)/);
    expect(new Set(stages)).toEqual(new Set(['loading']));
  });

  it('fine-tunes once pruned: the shared layer stays shared, shapes stay, the loss is finite and the weights move', async () => {
    const { model } = await importModel(modelTree('shared_block.keras'));
    const graph = buildChannelGraph(model);
    const { keep } = planPruning(graph, await l1Norm.scoreGroups({ model, graph, seed: 1 }), { metric: 'flops', reduction: 0.3 });
    const pruned: tfl.LayersModel = await pruneModel(model, graph, keep);
    const shapes = pruned.getWeights().map((w) => w.shape);
    const before = pruned.getLayer('block_conv').getWeights()[0].dataSync().slice();
    const count = 12;
    const data: ImageDataset = {
      name: 'random',
      images: Uint8Array.from({ length: count * 8 * 8 * 3 }, (_, i) => (i * 2654435761) % 251),
      labels: Uint8Array.from({ length: count }, (_, i) => i % 4),
      count,
      height: 8,
      width: 8,
      channels: 3,
      classNames: ['a', 'b', 'c', 'd'],
    };
    const result = await fit(
      pruned,
      data,
      { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
      { epochs: 1, batchSize: 4, learningRate: 0.01, seed: 1, stage: 'fine-tuning' },
    );
    expect(result.epochs).toBe(1);
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(pruned.getLayer('block_conv').inboundNodes).toHaveLength(2);
    expect(pruned.getWeights().map((w) => w.shape)).toEqual(shapes);
    const after = pruned.getLayer('block_conv').getWeights()[0].dataSync();
    expect(Math.max(...Array.from(after, (v, i) => Math.abs(v - before[i])))).toBeGreaterThan(0);
    expect(pruned.predict(tf.zeros([1, 8, 8, 3])) as tf.Tensor).toBeDefined();
  });

  it('a whole run with l1 prunes it and fine-tunes it for an epoch', async () => {
    const seen: string[] = [];
    const run = { ...config, criterion: 'l1', fineTuneEpochs: 1, input: { preset: 'tf' as const } };
    const result = await runPruning(run, { ...host, backend: 'cpu', onProgress: (p) => seen.push(p.stage) });
    expect(seen).toContain('fine-tuning');
    expect(result.pruned.parameters).toBeLessThan(result.baseline.parameters);
    expect(Number.isFinite(result.pruned.accuracy)).toBe(true);
  });
});
