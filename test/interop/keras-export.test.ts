import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { memoryTree } from '../../core/data/file-tree.js';
import { buildChannelGraph } from '../../core/graph/channel-graph.js';
import { l1Norm } from '../../core/importance/l1-norm.js';
import { exportModel, type ExportFormat } from '../../core/models/io/export-model.js';
import { importModel } from '../../core/models/io/import-model.js';
import { MODEL_ZOO } from '../../core/models/zoo.js';
import { planPruning } from '../../core/prune/budget.js';
import { pruneModel } from '../../core/prune/surgery.js';
import { randomiseBatchNorm } from '../core/prune/random-batch-norm.js';
import type { ImageDataset } from '../../core/data/image-dataset.js';
import { recalibrateBatchNorm } from '../../core/train/batch-norm-recalibration.js';
import { referencePython, runPython } from './python.js';

/**
 * Exports opened by real Keras 3 (keras_outputs.py, through the one Python of test/interop/python.ts): every zoo
 * model, an imported nested model and pruned ones give Keras the outputs the engine computes, within 1e-4.
 */
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-keras-'));
const SCRIPT = new URL('keras_outputs.py', import.meta.url).pathname;
const FIXTURES = new URL('../fixtures/models/keras/', import.meta.url);
const FORMATS: ExportFormat[] = ['keras', 'keras-h5'];

beforeAll(async () => {
  referencePython(); // no Python with Keras: every test here fails at once, saying where it looked
  await wasmCandidate.load();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface KerasRun {
  shape?: number[];
  values?: number[];
  layers?: string[];
  error?: string;
}

/** Writes each model in each Keras format, runs them all in one Keras process, and compares with the engine. */
async function compareInKeras(models: { name: string; model: tfl.LayersModel }[], shape: number[]): Promise<void> {
  const x = tf.randomUniform(shape, -1, 1, 'float32', 5);
  const inputs = join(dir, `inputs-${shape.join('x')}.json`);
  writeFileSync(inputs, JSON.stringify({ shape, values: Array.from(x.dataSync()) }));
  const files: { path: string; name: string; expected: Float32Array }[] = [];
  for (const { name, model } of models) {
    const expected = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    for (const format of FORMATS) {
      const [file] = await exportModel(model, format);
      const path = join(dir, `${name}-${file.name}`);
      writeFileSync(path, file.bytes);
      files.push({ path, name: `${name} as ${format}`, expected });
    }
  }
  x.dispose();
  const outputs = JSON.parse(await runPython([SCRIPT, inputs, ...files.map((f) => f.path)])) as Record<string, KerasRun>;
  for (const { path, name, expected } of files) {
    const run = outputs[path];
    expect(run.error, `${name}: Keras could not load it`).toBeUndefined();
    expect(run.values, name).toHaveLength(expected.length);
    const diff = Math.max(...run.values!.map((v, i) => Math.abs(v - expected[i])));
    expect(diff, `${name}: largest difference from the engine`).toBeLessThan(1e-4);
    expect(
      run.layers!.some((c) => c === 'ZeroPadShortcut'),
      name,
    ).toBe(false);
  }
}

/** Random scales and shifts, with moving statistics re-estimated on random images so deep models stay well scaled. */
async function randomise(model: tfl.LayersModel): Promise<void> {
  randomiseBatchNorm(model);
  const count = 16;
  const images = Uint8Array.from({ length: count * 32 * 32 * 3 }, (_, i) => (i * 2654435761) % 251);
  const data: ImageDataset = { name: 'random', images, labels: new Uint8Array(count), count, height: 32, width: 32, channels: 3, classNames: ['a', 'b'] };
  await recalibrateBatchNorm(model, data, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, { batches: 1, batchSize: 16 });
}

async function pruned(model: tfl.LayersModel, reduction: number): Promise<tfl.LayersModel> {
  const graph = buildChannelGraph(model);
  const scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
  return pruneModel(model, graph, planPruning(graph, scores, { metric: 'flops', reduction }).keep);
}

describe('Keras exports opened by real Keras 3', () => {
  // VGG-16 and VGG-19 are VGG-11 with more of the same blocks (15 and 20 million weights: minutes to write and load here).
  it('every zoo model (VGG-16/19 through VGG-11), written as .keras and .h5, gives the outputs the engine computes', async () => {
    const models = MODEL_ZOO.filter((e) => e.id !== 'vgg16' && e.id !== 'vgg19').map((entry) => {
      const model = entry.build({ inputShape: [32, 32, 3], numClasses: 10, seed: 3 });
      return { name: entry.id, model };
    });
    for (const { model } of models) await randomise(model);
    await compareInKeras(models, [2, 32, 32, 3]);
    models.forEach((m) => m.model.dispose());
  }, 600_000);

  it('pruned models (ResNet-20 with index-mapped shortcuts, MobileNetV2, VGG-11) too', async () => {
    const models = await Promise.all(
      ['resnet20', 'mobilenetv2', 'vgg11'].map(async (id) => {
        const base = MODEL_ZOO.find((e) => e.id === id)!.build({ inputShape: [32, 32, 3], numClasses: 10, seed: 4 });
        await randomise(base);
        const model = await pruned(base, 0.4);
        base.dispose();
        return { name: `${id}-pruned`, model };
      }),
    );
    expect(models[0].model.layers.some((l) => (l as unknown as { sourceChannels?: number[] }).sourceChannels)).toBe(true);
    await compareInKeras(models, [2, 32, 32, 3]);
  }, 600_000);

  it(
    'imported models of the shapes users bring (nested, Keras 1.2 and 2.1, channels-first, shared layers, Teachable Machine), re-exported as they ' +
      'are and pruned',
    async () => {
      const models: { name: string; model: tfl.LayersModel }[] = [];
      for (const name of [
        'nested_sequential.keras',
        'nested_functional.h5',
        'keras1_th_sequential.h5',
        'keras1_tf_functional.h5',
        'keras21_list.h5',
        'shared_layer.keras',
        'shared_block.keras',
        'teachable_machine',
        'cf_sequential.h5',
        'cf_functional.keras',
      ]) {
        const path = new URL(name, FIXTURES);
        const files = statSync(path).isDirectory()
          ? readdirSync(path).map((f) => [f, new Uint8Array(readFileSync(new URL(`${name}/${f}`, FIXTURES)))] as const)
          : [[name, new Uint8Array(readFileSync(path))] as const];
        const { model } = await importModel(memoryTree(name, new Map(files)));
        models.push({ name: name.replace(/\W/g, '_'), model });
      }
      const small = models.filter((m) => m.model.inputs[0].shape[1] === 8);
      // A layer called twice stays one shared layer in the pruned file (shared_block: the stem and both calls keep the same channels).
      const prunedSmall = await Promise.all(
        small.filter((m) => /keras1_|shared|cf_/.test(m.name)).map(async (m) => ({ name: `${m.name}_pruned`, model: await pruned(m.model, 0.3) })),
      );
      await compareInKeras([...small, ...prunedSmall], [2, 8, 8, 3]);
      const tm = models.find((m) => m.name === 'teachable_machine')!;
      await compareInKeras([tm, { name: 'teachable_machine_pruned', model: await pruned(tm.model, 0.3) }], [2, 32, 32, 3]);
    },
    600_000,
  );
});
