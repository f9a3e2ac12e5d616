import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { memoryTree } from '../../../core/data/file-tree.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { l1Norm } from '../../../core/importance/l1-norm.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { readKerasConfig } from '../../../core/models/io/keras-config.js';
import { ModelFormatError, UnsupportedLayerError } from '../../../core/models/io/model-errors.js';
import { planPruning } from '../../../core/prune/budget.js';
import { applyChannelMask } from '../../../core/prune/channel-mask.js';
import { pruneModel } from '../../../core/prune/surgery.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const HERE = new URL('../../fixtures/models/keras/', import.meta.url);
const read = (name: string) => new Uint8Array(readFileSync(new URL(name, HERE)));
const open = (name: string) => importModel(memoryTree(name, new Map([[name, read(name)]])));

interface Expected {
  input_shape: number[];
  input: number[];
  output: number[];
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

/**
 * Channels-first Keras 2/3 files made by real Keras 3 (make_channels_first.py beside them), with the outputs Keras
 * computes on the channels-first images: the engine feeds the same images transposed to height x width x channels.
 */
describe('Keras channels-first models', () => {
  it.each([
    { name: 'cf_sequential.h5', expected: 'cf_sequential', theano: false },
    { name: 'cf_functional.h5', expected: 'cf_functional', theano: false },
    { name: 'cf_functional.keras', expected: 'cf_functional', theano: false },
    { name: 'cf_theano.h5', expected: 'cf_theano', theano: true },
    { name: 'cf_theano_weights.h5', expected: 'cf_theano_weights', theano: true },
  ])('$name opens channels-last and predicts what Keras computes', async ({ name, expected: reference, theano }) => {
    const expected = JSON.parse(new TextDecoder().decode(read(`${reference}.expected.json`))) as Expected;
    const { model, warnings } = await open(name);
    expect(model.inputs[0].shape).toEqual([null, 8, 8, 3]);
    expect(warnings.some((w) => w.includes("channels-first (data_format 'channels_first')"))).toBe(true);
    expect(warnings.some((w) => w.includes('Theano backend'))).toBe(theano);
    for (const layer of model.layers) expect(layer.getConfig().dataFormat ?? 'channelsLast', layer.name).toBe('channelsLast');
    const x = tf.transpose(tf.tensor(expected.input, expected.input_shape), [0, 2, 3, 1]);
    const y = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    expect(y).toHaveLength(expected.output.length);
    expect(maxDiff(y, expected.output)).toBeLessThan(1e-4);
    x.dispose();
  });

  it('the batch norms and the concatenation act on the channels, and the kernels keep their Keras 2 shape', async () => {
    const { model } = await open('cf_functional.h5');
    expect(model.getLayer('bn').getConfig().axis).toBe(-1);
    expect(model.getLayer('cat').getConfig().axis).toBe(-1);
    expect(model.getLayer('conv3').getWeights()[0].shape).toEqual([3, 3, 3, 4]);
    expect(model.getLayer('hidden').getWeights()[0].shape).toEqual([5 * 5 * 8, 6]);
  });

  it.each(['cf_sequential.h5', 'cf_functional.keras'])('%s prunes: the smaller model equals the masked one', async (name) => {
    const { model } = await open(name);
    const graph = buildChannelGraph(model);
    const scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
    const plan = planPruning(graph, scores, { metric: 'flops', reduction: 0.3 });
    const pruned = await pruneModel(model, graph, plan.keep);
    expect(pruned.countParams()).toBeLessThan(model.countParams());
    const x = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 3);
    const small = tf.tidy(() => (pruned.predict(x) as tf.Tensor).dataSync());
    applyChannelMask(model, graph, plan.keep);
    const masked = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    expect(maxDiff(small, masked)).toBeLessThan(1e-4);
    x.dispose();
  });
});

/** Channels-first configs Pruneflow refuses, by layer and reason. */
describe('Keras channels-first configs that cannot be converted', () => {
  const input = { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_shape: [null, 3, 8, 8] }, inbound_nodes: [] };
  const call = (from: string) => [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: [from, 0, 0] } }], kwargs: {} }];
  const conv = (name: string, format: string, from = 'in') => ({
    class_name: 'Conv2D',
    name,
    config: { name, filters: 2, kernel_size: [3, 3], padding: 'same', data_format: format, activation: 'linear', use_bias: true },
    inbound_nodes: call(from),
  });
  it.each([
    {
      what: 'a model mixing channels-first and channels-last layers',
      layer: conv('b', 'channels_last', 'a'),
      error: ModelFormatError,
      message: /mixes channels-first \('a'\) and channels-last \('b'\)/,
    },
    {
      what: 'a batch norm over the last axis of a channels-first image',
      layer: { class_name: 'BatchNormalization', name: 'bn', config: { name: 'bn', axis: -1 }, inbound_nodes: call('a') },
      error: UnsupportedLayerError,
      message: /layer 'bn' \(BatchNormalization\) normalizes along axis -1 of a channels-first image/,
    },
    {
      what: 'a dense layer on a channels-first image',
      layer: { class_name: 'Dense', name: 'd', config: { name: 'd', units: 2 }, inbound_nodes: call('a') },
      error: UnsupportedLayerError,
      message: /layer 'd' \(Dense\) works on the axis order of a channels-first image/,
    },
  ])('$what', ({ layer, error, message }) => {
    const raw = {
      class_name: 'Functional',
      config: { name: 'm', layers: [input, conv('a', 'channels_first'), layer], input_layers: [['in', 0, 0]], output_layers: [[layer.name, 0, 0]] },
    };
    const run = () => readKerasConfig(raw, 'cf.keras', []);
    expect(run).toThrow(error);
    expect(run).toThrow(message);
  });
});
