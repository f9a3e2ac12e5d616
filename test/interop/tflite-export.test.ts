import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { memoryTree } from '../../core/data/file-tree.js';
import type { ImageDataset } from '../../core/data/image-dataset.js';
import { buildChannelGraph } from '../../core/graph/channel-graph.js';
import { l1Norm } from '../../core/importance/l1-norm.js';
import { checkExportable, exportModel } from '../../core/models/io/export-model.js';
import { importModel } from '../../core/models/io/import-model.js';
import { ModelExportError } from '../../core/models/io/model-errors.js';
import { MODEL_ZOO } from '../../core/models/zoo.js';
import { OnnxOp } from '../../core/models/io/onnx/onnx-layers.js';
import { planPruning } from '../../core/prune/budget.js';
import { pruneModel } from '../../core/prune/surgery.js';
import { recalibrateBatchNorm } from '../../core/train/batch-norm-recalibration.js';
import { randomiseBatchNorm } from '../core/prune/random-batch-norm.js';
import { smallOnnx } from './onnx-fixtures.js';
import { referencePython, runPython } from './python.js';

/**
 * TFLite exports run by TensorFlow's own interpreter (tflite_outputs.py, reference kernels, through the one
 * Python of test/interop/python.ts): every zoo model, imported Keras and ONNX models and pruned ones give the
 * outputs the engine computes, within 1e-4.
 */
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-tflite-'));
const SCRIPT = new URL('tflite_outputs.py', import.meta.url).pathname;
const KERAS = new URL('../fixtures/models/keras/', import.meta.url);

beforeAll(async () => {
  referencePython(); // no Python with TensorFlow: every test here fails at once, saying where it looked
  await wasmCandidate.load();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface TfliteRun {
  shape?: number[];
  values?: number[];
  operators?: string[];
  error?: string;
}

/** Writes each model as .tflite, runs them all in one interpreter process, and compares with the engine. */
async function compareInTflite(models: { name: string; model: tfl.LayersModel; shape?: number[] }[], shape?: number[]): Promise<Record<string, string[]>> {
  const files: { path: string; inputs: string; name: string; expected: Float32Array; expectedShape: number[] }[] = [];
  for (const { name, model, shape: own } of models) {
    const inputShape = own ?? shape!;
    const x = tf.randomUniform(inputShape, -1, 1, 'float32', 5);
    const inputs = join(dir, `${name}-inputs.json`);
    writeFileSync(inputs, JSON.stringify({ shape: inputShape, values: Array.from(x.dataSync()) }));
    const expected = tf.tidy(() => model.predict(x) as tf.Tensor);
    x.dispose();
    checkExportable(model, 'tflite');
    const [file] = await exportModel(model, 'tflite');
    expect(file.name).toBe('model.tflite');
    const path = join(dir, `${name}.tflite`);
    writeFileSync(path, file.bytes);
    files.push({ path, inputs, name, expected: expected.dataSync() as Float32Array, expectedShape: expected.shape });
    expected.dispose();
  }
  const outputs = JSON.parse(await runPython([SCRIPT, ...files.map((f) => `${f.path}=${f.inputs}`)])) as Record<string, TfliteRun>;
  const operators: Record<string, string[]> = {};
  for (const { path, name, expected, expectedShape } of files) {
    const run = outputs[path];
    expect(run.error, `${name}: the TFLite interpreter refused it`).toBeUndefined();
    expect(run.shape, name).toEqual(expectedShape);
    // Within 1e-4, scaled by the outputs where they pass 1: folding batch norms reorders float arithmetic, and
    // VGG-16's logits (near 25) move by 1.5e-4 with it, as the engine's own folded model moves by 1e-4.
    const diff = Math.max(...run.values!.map((v, i) => Math.abs(v - expected[i])));
    const scale = Math.max(1, ...Array.from(expected, Math.abs));
    expect(diff / scale, `${name}: largest difference from the engine, relative to outputs of up to ${scale}`).toBeLessThan(1e-4);
    operators[name] = run.operators!;
  }
  return operators;
}

/** Random scales and shifts, with moving statistics re-estimated on random images so deep models stay well scaled. */
async function randomise(model: tfl.LayersModel, size = 32): Promise<void> {
  randomiseBatchNorm(model);
  const count = 16;
  const images = Uint8Array.from({ length: count * size * size * 3 }, (_, i) => (i * 2654435761) % 251);
  const data: ImageDataset = { name: 'random', images, labels: new Uint8Array(count), count, height: size, width: size, channels: 3, classNames: ['a', 'b'] };
  await recalibrateBatchNorm(model, data, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, { batches: 1, batchSize: 16 });
}

async function pruned(model: tfl.LayersModel, reduction: number): Promise<tfl.LayersModel> {
  const graph = buildChannelGraph(model);
  const scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
  return pruneModel(model, graph, planPruning(graph, scores, { metric: 'flops', reduction }).keep);
}

async function importFiles(name: string, root: URL): Promise<tfl.LayersModel> {
  const path = new URL(name, root);
  const files = statSync(path).isDirectory()
    ? readdirSync(path).map((f) => [f, new Uint8Array(readFileSync(new URL(`${name}/${f}`, root)))] as const)
    : [[name, new Uint8Array(readFileSync(path))] as const];
  return (await importModel(memoryTree(name, new Map(files)))).model;
}

describe("TensorFlow Lite exports run by TensorFlow's TFLite interpreter", () => {
  it('every zoo model gives the outputs the engine computes, batch norms folded and the option-A shortcut as a fixed convolution', async () => {
    const models = MODEL_ZOO.map((entry) => ({ name: entry.id, model: entry.build({ inputShape: [32, 32, 3], numClasses: 10, seed: 3 }) }));
    for (const { model } of models) await randomise(model);
    const operators = await compareInTflite(models, [2, 32, 32, 3]);
    // Folded: no MUL/ADD pair per batch norm is left in a plain VGG; the ResNet's shortcut is standard operators.
    expect(operators.vgg11).not.toContain('MUL');
    expect(operators.resnet20).toEqual(expect.arrayContaining(['CONV_2D', 'ADD', 'MEAN', 'FULLY_CONNECTED']));
    expect(operators.mobilenetv2).toContain('DEPTHWISE_CONV_2D');
    models.forEach((m) => m.model.dispose());
  }, 900_000);

  it('pruned models (ResNet-20 with index-mapped shortcuts, MobileNetV2, VGG-11) too', async () => {
    const models = [];
    for (const id of ['resnet20', 'mobilenetv2', 'vgg11']) {
      const base = MODEL_ZOO.find((e) => e.id === id)!.build({ inputShape: [32, 32, 3], numClasses: 10, seed: 4 });
      await randomise(base);
      models.push({ name: `${id}-pruned`, model: await pruned(base, 0.4) });
      base.dispose();
    }
    expect(models[0].model.layers.some((l) => (l as unknown as { sourceChannels?: number[] }).sourceChannels)).toBe(true);
    await compareInTflite(models, [2, 32, 32, 3]);
  }, 600_000);

  it('imported Keras models (nested, Keras 1.2, Teachable Machine) and their pruned versions', async () => {
    const tm = await importFiles('teachable_machine', KERAS);
    await compareInTflite([
      { name: 'nested_sequential', model: await importFiles('nested_sequential.keras', KERAS), shape: [2, 8, 8, 3] },
      { name: 'nested_functional', model: await importFiles('nested_functional.h5', KERAS), shape: [2, 8, 8, 3] },
      { name: 'keras1_th_sequential', model: await importFiles('keras1_th_sequential.h5', KERAS), shape: [2, 8, 8, 3] },
      { name: 'keras1_tf_functional', model: await importFiles('keras1_tf_functional.h5', KERAS), shape: [2, 8, 8, 3] },
      { name: 'teachable_machine', model: tm, shape: [2, 32, 32, 3] },
      { name: 'teachable_machine_pruned', model: await pruned(tm, 0.3), shape: [2, 32, 32, 3] },
    ]);
  }, 600_000);

  it(
    'imported ONNX models (a CIFAR ResNet from PyTorch, grouped convolutions ' + 'and padded pools, squeeze-excite with SiLU and hard swish) and a pruned one',
    async () => {
      const models = [];
      for (const name of ['cifar-resnet', 'grouped-net', 'flatten-chain', 'se-silu']) {
        const { bytes } = smallOnnx(name);
        const { model } = await importModel(memoryTree('fixtures', new Map([[`${name}.onnx`, bytes]])));
        models.push({ name, model, shape: [2, ...(model.inputs[0].shape.slice(1) as number[])] });
      }
      models.push({ name: 'cifar-resnet-pruned', model: await pruned(models[0].model, 0.3), shape: models[0].shape });
      const operators = await compareInTflite(models);
      expect(operators['flatten-chain']).toEqual(expect.arrayContaining(['RESHAPE', 'SOFTMAX']));
      expect(operators['se-silu']).toEqual(expect.arrayContaining(['HARD_SWISH', 'LOGISTIC', 'MUL', 'MEAN']));
      expect(operators['grouped-net']).toEqual(expect.arrayContaining(['PADV2', 'MAX_POOL_2D', 'LEAKY_RELU', 'DEPTHWISE_CONV_2D', 'CONCATENATION']));
    },
    600_000,
  );

  it('a layer TFLite cannot take is refused before a run, by name', () => {
    const input = tfl.input({ shape: [4, 4, 3] });
    const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 1, name: 'stem' }).apply(input) as tfl.SymbolicTensor;
    const softmax = tfl.layers.softmax({ axis: 1, name: 'spatial_softmax' }).apply(conv) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: softmax });
    expect(() => checkExportable(model, 'tflite')).toThrow(ModelExportError);
    expect(() => checkExportable(model, 'tflite')).toThrow(/spatial_softmax.*Softmax.*axis/);
    model.dispose();
  });

  it('an imported ONNX ShuffleNet unit: the chunk and the channel shuffle (Reshape, Transpose, Reshape) as TFLite operators', async () => {
    const { bytes } = smallOnnx('shuffle-unit');
    const { model } = await importModel(memoryTree('fixtures', new Map([['shuffle-unit.onnx', bytes]])));
    const kept = model.layers.filter((l) => l.getClassName() === 'OnnxOp').map((l) => (l as unknown as OnnxOp).op);
    expect(kept).toEqual(expect.arrayContaining(['Reshape', 'Transpose']));
    const operators = await compareInTflite([{ name: 'shuffle-unit', model, shape: [2, ...(model.inputs[0].shape.slice(1) as number[])] }]);
    expect(operators['shuffle-unit']).toEqual(expect.arrayContaining(['RESHAPE', 'TRANSPOSE']));
    model.dispose();
  }, 600_000);

  it('an ONNX operator kept as it is that TFLite cannot take is refused before a run, by name', async () => {
    const input = tfl.input({ shape: [4, 4, 3] });
    const gather = new OnnxOp({ name: 'pick', op: 'Gather', attrs: { axis: 1 }, constants: [null, { dims: [1], values: [0] }], outputs: 1 });
    const model = tfl.model({ inputs: input, outputs: gather.apply(input) as tfl.SymbolicTensor });
    expect(() => checkExportable(model, 'tflite')).toThrow(ModelExportError);
    expect(() => checkExportable(model, 'tflite')).toThrow(/'pick' \(OnnxOp\) is the ONNX operator Gather, kept as it is, which has no TFLite operator here/);
    await expect(exportModel(model, 'tflite')).rejects.toThrow(ModelExportError);
    model.dispose();
  });
});
