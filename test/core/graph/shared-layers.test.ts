import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { memoryTree } from '../../../core/data/file-tree.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { modelReport } from '../../../core/graph/preflight.js';
import { l1Norm } from '../../../core/importance/l1-norm.js';
import { getCriterion } from '../../../core/importance/registry.js';
import { checkExportable } from '../../../core/models/io/export-model.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { ModelExportError } from '../../../core/models/io/model-errors.js';
import { SharedLayerError } from '../../../core/models/model-calls.js';
import { layerFlops } from '../../../core/models/model-cost.js';
import { planPruning } from '../../../core/prune/budget.js';
import { applyChannelMask } from '../../../core/prune/channel-mask.js';
import { pruneModel } from '../../../core/prune/surgery.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const HERE = new URL('../../fixtures/models/keras/', import.meta.url);
const read = (name: string) => new Uint8Array(readFileSync(new URL(name, HERE)));
const open = async (name: string) => (await importModel(memoryTree(name, new Map([[name, read(name)]])))).model;
const input = (seed: number) => tf.randomUniform([3, 8, 8, 3], -1, 1, 'float32', seed);
const predict = (model: tfl.LayersModel, x: tf.Tensor) => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

/**
 * Models written by real Keras 3 that call one layer twice (make_real_keras.py, make_shared_keras.py):
 * shared_layer.keras calls a Conv2D on two branches, shared_block.keras calls a Conv2D + BatchNormalization + ReLU
 * block twice in a row.
 */
describe('a layer called twice prunes as one layer', () => {
  it('two branches into one shared convolution: the branches are coupled, the shared layer makes one group', async () => {
    const model = await open('shared_layer.keras');
    const graph = buildChannelGraph(model);
    const inputs = graph.groups.find((g) => g.producers.includes('left'))!;
    expect(inputs.producers).toEqual(['left', 'right']);
    expect(inputs.consumers).toEqual(['shared']);
    expect(inputs.prunable).toBe(true);
    const made = graph.groups.find((g) => g.producers.includes('shared'))!;
    expect(made).toMatchObject({ producers: ['shared'], consumers: ['classes'], prunable: true, channels: 5 });
    // Counted at each call: 8 x 8 positions x 3 x 3 x 4 inputs x 5 outputs, twice.
    expect(layerFlops(model.getLayer('shared'))).toBe(2 * 64 * 9 * 4 * 5);
    expect(modelReport(model, graph).summary[0]).toMatch(/^2 of 4 channel groups can be pruned/);
  });

  it('a block called twice in a row: the stem and both calls share one set of channels', async () => {
    const model = await open('shared_block.keras');
    const expected = JSON.parse(new TextDecoder().decode(read('shared_block.expected.json'))) as { input: number[]; input_shape: number[]; output: number[] };
    const y = predict(model, tf.tensor(expected.input, expected.input_shape));
    expect(maxDiff(y, Float32Array.from(expected.output))).toBeLessThan(1e-4);
    const graph = buildChannelGraph(model);
    const group = graph.groups.find((g) => g.producers.includes('stem'))!;
    expect(group).toMatchObject({ producers: ['stem', 'block_conv'], followers: ['block_bn'], prunable: true, channels: 6 });
    expect([...group.consumers].sort()).toEqual(['block_conv', 'logits']);
  });

  it.each(['shared_layer.keras', 'shared_block.keras'])(
    '%s: the pruned model keeps the layer shared, and equals the masked model and the sliced weights',
    async (name) => {
      const model = await open(name);
      const graph = buildChannelGraph(model);
      const scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
      const { keep } = planPruning(graph, scores, { metric: 'flops', reduction: 0.3 });
      expect(keep.size).toBeGreaterThan(0);
      const pruned = await pruneModel(model, graph, keep);
      const sharedName = name === 'shared_layer.keras' ? 'shared' : 'block_conv';
      expect(pruned.getLayer(sharedName).inboundNodes).toHaveLength(2);
      // The shared kernel is the original's kept rows and columns.
      const ports = graph.layers.find((l) => l.name === sharedName)!;
      const keptIn = keep.get(ports.inputs[0].group) ?? Int32Array.from({ length: ports.inputs[0].channels }, (_, i) => i);
      const keptOut = keep.get(ports.outputs[0].group) ?? Int32Array.from({ length: ports.outputs[0].channels }, (_, i) => i);
      const sliced = tf.tidy(() => tf.gather(tf.gather(model.getLayer(sharedName).getWeights()[0], keptIn, 2), keptOut, 3).dataSync() as Float32Array);
      expect(maxDiff(pruned.getLayer(sharedName).getWeights()[0].dataSync() as Float32Array, sliced)).toBe(0);
      const x = input(2);
      const small = predict(pruned, x);
      applyChannelMask(model, graph, keep);
      expect(maxDiff(predict(model, x), small)).toBeLessThan(1e-4);
      x.dispose();
    },
  );

  it('data criteria read every call; a criterion that follows single calls and the ONNX and TFLite writers refuse by name', async () => {
    const model = await open('shared_block.keras');
    const graph = buildChannelGraph(model);
    const x = input(4);
    const batch = { x: x as tf.Tensor4D, y: tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 4), 'float32') as tf.Tensor2D, size: 3 };
    for (const id of ['taylor', 'activation-mean', 'hrank']) {
      const scores = await getCriterion(id).scoreGroups({ model, graph, seed: 1, calibration: [batch] });
      expect(
        [...scores.values()].every((s) => s.every(Number.isFinite)),
        id,
      ).toBe(true);
    }
    await expect(getCriterion('cip').scoreGroups({ model, graph, seed: 1, calibration: [batch] })).rejects.toThrow(SharedLayerError);
    await expect(getCriterion('cip').scoreGroups({ model, graph, seed: 1, calibration: [batch] })).rejects.toThrow(/'block_conv' \(called 2 times\)/);
    for (const format of ['onnx', 'tflite'] as const) expect(() => checkExportable(model, format)).toThrow(ModelExportError);
    expect(() => checkExportable(model, 'tflite')).toThrow(/layer 'block_conv' is called 2 times/);
    expect(() => checkExportable(model, 'keras')).not.toThrow();
    tf.dispose([batch.x, batch.y]);
  });
});
