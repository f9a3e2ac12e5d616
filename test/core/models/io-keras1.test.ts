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
  input_layout: 'NCHW' | 'NHWC';
  input_shape: number[];
  input: number[];
  output: number[];
}

/** The fixture's input as the engine feeds images: height x width x channels. */
function inputOf(expected: Expected): tf.Tensor {
  const x = tf.tensor(expected.input, expected.input_shape);
  return expected.input_layout === 'NCHW' ? tf.transpose(x, [0, 2, 3, 1]) : x;
}

/**
 * Files in the layout Keras 1.2.2's save_model wrote (make_keras1.py beside them, following keras-team/keras at
 * tag 1.2.2), with the outputs an independent NumPy computation of the same network gives.
 */
describe('Keras 1.2 model files', () => {
  it.each([
    {
      name: 'keras1_th_sequential.h5',
      classes: ['Conv2D', 'BatchNormalization', 'MaxPooling2D', 'Conv2D', 'Activation', 'Flatten', 'Dropout', 'Dense', 'Activation'],
      names: ['convolution2d_1', 'batchnormalization_1', 'dense_1'],
      channelsFirst: true,
    },
    {
      name: 'keras1_tf_functional.h5',
      classes: ['InputLayer', 'Conv2D', 'Conv2D', 'Add', 'ZeroPadding2D', 'Conv2D', 'AveragePooling2D', 'Concatenate', 'BatchNormalization'],
      names: ['merge_1', 'atrousconvolution2d_1', 'merge_2'],
      channelsFirst: false,
    },
  ])(
    '$name opens with its layer names, takes height x width x channels images and predicts what NumPy computes',
    async ({ name, classes, names, channelsFirst }) => {
      const expected = JSON.parse(new TextDecoder().decode(read(name.replace('.h5', '.expected.json')))) as Expected;
      const { model, format, warnings } = await open(name);
      expect(format).toBe('keras-h5');
      expect(model.layers.slice(0, classes.length).map((l) => l.getClassName())).toEqual(classes);
      for (const layerName of names) expect(model.getLayer(layerName)).toBeDefined();
      expect(model.inputs[0].shape).toEqual([null, 8, 8, 3]);
      expect(warnings.some((w) => w.includes("channels-first (dim_ordering 'th')"))).toBe(channelsFirst);
      const y = tf.tidy(() => (model.predict(inputOf(expected)) as tf.Tensor).dataSync());
      expect(y).toHaveLength(expected.output.length);
      const diff = Math.max(...Array.from(y, (v, i) => Math.abs(v - expected.output[i])));
      expect(diff).toBeLessThan(1e-4);
    },
  );

  it('the atrous convolution keeps its dilation and the channels-first convolution its 3x2 kernel', async () => {
    const functional = (await open('keras1_tf_functional.h5')).model;
    expect(functional.getLayer('atrousconvolution2d_1').getConfig().dilationRate).toEqual([2, 2]);
    const sequential = (await open('keras1_th_sequential.h5')).model;
    expect(sequential.getLayer('convolution2d_2').getWeights()[0].shape).toEqual([3, 2, 4, 6]);
    expect(sequential.getLayer('dense_1').getConfig().units).toBe(5);
    expect(sequential.getLayer('dropout_1').getConfig().rate).toBe(0.5);
  });

  it.each(['keras1_th_sequential.h5', 'keras1_tf_functional.h5'])('%s prunes: the smaller model equals the masked one', async (name) => {
    const { model } = await open(name);
    const graph = buildChannelGraph(model);
    const scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
    const plan = planPruning(graph, scores, { metric: 'flops', reduction: 0.3 });
    expect(plan.keep.size).toBeGreaterThan(0);
    const pruned = await pruneModel(model, graph, plan.keep);
    expect(pruned.countParams()).toBeLessThan(model.countParams());
    const x = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 3);
    const small = tf.tidy(() => (pruned.predict(x) as tf.Tensor).dataSync());
    applyChannelMask(model, graph, plan.keep);
    const masked = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    expect(Math.max(...Array.from(small, (v, i) => Math.abs(v - masked[i])))).toBeLessThan(1e-4);
    x.dispose();
  });
});

/** Keras 1 configs Pruneflow refuses, by layer and reason (the same reader serves every Keras file). */
describe('Keras 1 configs that cannot be converted', () => {
  const conv = (name: string, ordering: string) => ({
    class_name: 'Convolution2D',
    config: {
      name,
      nb_filter: 2,
      nb_row: 3,
      nb_col: 3,
      border_mode: 'same',
      subsample: [1, 1],
      dim_ordering: ordering,
      activation: 'linear',
      init: 'glorot_uniform',
      bias: true,
    },
  });
  const first = (entry: { config: Record<string, unknown> }, shape: (number | null)[]) => ({ ...entry, config: { ...entry.config, batch_input_shape: shape } });
  it.each([
    {
      what: 'a Merge in dot mode',
      layers: [
        { name: 'input_1', class_name: 'InputLayer', config: { name: 'input_1', batch_input_shape: [null, 4] }, inbound_nodes: [] },
        {
          name: 'merge_1',
          class_name: 'Merge',
          config: { name: 'merge_1', mode: 'dot', mode_type: 'raw' },
          inbound_nodes: [
            [
              ['input_1', 0, 0],
              ['input_1', 0, 0],
            ],
          ],
        },
      ],
      error: UnsupportedLayerError,
      message: /layer 'merge_1' \(Merge\) merges in mode 'dot'/,
    },
    {
      what: 'batch normalization in Keras 1 mode 2',
      layers: [first(conv('c', 'tf'), [null, 8, 8, 3]), { class_name: 'BatchNormalization', config: { name: 'bn', mode: 2, axis: -1 } }],
      error: UnsupportedLayerError,
      message: /layer 'bn' \(BatchNormalization\) uses Keras 1 mode 2/,
    },
    {
      what: "a model mixing 'th' and 'tf' layers",
      layers: [first(conv('a', 'th'), [null, 3, 8, 8]), conv('b', 'tf')],
      error: ModelFormatError,
      message: /mixes channels-first \('th'\) and channels-last \('tf'\)/,
    },
    {
      what: 'a channels-first batch norm over rows',
      layers: [first(conv('a', 'th'), [null, 3, 8, 8]), { class_name: 'BatchNormalization', config: { name: 'bn', mode: 0, axis: 2 } }],
      error: UnsupportedLayerError,
      message: /normalizes along axis 2 of a channels-first image/,
    },
    {
      what: "border_mode 'full'",
      layers: [first({ ...conv('a', 'tf'), config: { ...conv('a', 'tf').config, border_mode: 'full' } }, [null, 8, 8, 3])],
      error: UnsupportedLayerError,
      message: /uses border_mode 'full'/,
    },
  ])('$what', ({ layers, error, message }) => {
    const functional = layers.some((l) => 'inbound_nodes' in l);
    const raw = functional
      ? { class_name: 'Model', config: { name: 'm', layers, input_layers: [['input_1', 0, 0]], output_layers: [['merge_1', 0, 0]] } }
      : { class_name: 'Sequential', config: layers };
    const run = () => readKerasConfig(raw, 'old.h5', []);
    expect(run).toThrow(error);
    expect(run).toThrow(message);
  });

  it('leaves Keras 2 layers that reuse a Keras 1 option name alone (Embedding output_dim)', () => {
    const raw = {
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'Embedding', config: { name: 'e', input_dim: 10, output_dim: 4, batch_input_shape: [null, 3] } }] },
    };
    const { topology } = readKerasConfig(raw, 'new.h5', []);
    expect(topology.config.layers[0].config).toMatchObject({ input_dim: 10, output_dim: 4 });
  });
});
