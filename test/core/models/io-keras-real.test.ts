import { readdirSync, readFileSync, statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { memoryTree } from '../../../core/data/file-tree.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const HERE = new URL('../../fixtures/models/keras/', import.meta.url);
const read = (name: string) => new Uint8Array(readFileSync(new URL(name, HERE)));

/** A fixture file, or every file of a fixture folder, as the tree a user would open. */
function tree(name: string) {
  const path = new URL(name, HERE);
  const files = statSync(path).isDirectory() ? readdirSync(path).map((f) => [`${name}/${f}`, read(`${name}/${f}`)] as const) : [[name, read(name)] as const];
  return memoryTree(name, new Map(files));
}

interface Expected {
  input_shape: number[];
  input: number[];
  output: number[];
}

/** Files real Keras 3 wrote (make_real_keras.py beside them), with the outputs Keras computed. */
describe('model files of the shapes users bring, written by real Keras', () => {
  it.each([
    { name: 'keras21_list.h5', format: 'keras-h5', first: ['Conv2D', 'BatchNormalization', 'MaxPooling2D'], names: ['conv2d_1', 'dense_1'] },
    { name: 'nested_sequential.keras', format: 'keras', first: ['InputLayer', 'Conv2D', 'Conv2D', 'Add', 'Conv2D'], names: ['f_conv_a', 's_bn', 'head'] },
    {
      name: 'nested_functional.h5',
      format: 'keras-h5',
      first: ['InputLayer', 'Conv2D', 'Conv2D', 'BatchNormalization'],
      names: ['stem', 'b_conv', 'residual'],
    },
    { name: 'shared_layer.keras', format: 'keras', first: ['InputLayer', 'Conv2D', 'Conv2D', 'Conv2D', 'Add'], names: ['shared', 'sum'] },
    {
      name: 'teachable_machine',
      format: 'tfjs-layers',
      first: ['InputLayer', 'Conv2D', 'BatchNormalization', 'ReLU'],
      names: ['Conv1', 'block_5_add', 'dense_Dense2'],
    },
  ])('$name opens as one flat graph with its layer names and gives the outputs Keras computed', async ({ name, format, first, names }) => {
    const expected = JSON.parse(new TextDecoder().decode(read(`${name.replace(/\.(h5|keras)$/, '')}.expected.json`))) as Expected;
    const imported = await importModel(tree(name));
    expect(imported.format).toBe(format);
    const { model } = imported;
    expect(model.layers.slice(0, first.length).map((l) => l.getClassName())).toEqual(first);
    expect(model.layers.some((l) => ['Sequential', 'Functional', 'Model'].includes(l.getClassName()))).toBe(false);
    for (const layerName of names) expect(model.getLayer(layerName)).toBeDefined();
    const y = tf.tidy(() => (model.predict(tf.tensor(expected.input, expected.input_shape)) as tf.Tensor).dataSync());
    expect(y).toHaveLength(expected.output.length);
    const diff = Math.max(...Array.from(y, (v, i) => Math.abs(v - expected.output[i])));
    expect(diff).toBeLessThan(1e-4);
  });
});

describe('a shared layer (one layer called twice)', () => {
  it('is rebuilt as one layer with two calls, which the channel graph follows (test/core/graph/shared-layers.test.ts prunes it)', async () => {
    const { model } = await importModel(tree('shared_layer.keras'));
    expect(model.getLayer('shared').inboundNodes).toHaveLength(2);
    expect(buildChannelGraph(model).groups.find((g) => g.producers.includes('shared'))?.prunable).toBe(true);
  });
});

describe('flattened nested models prune like flat ones', () => {
  it.each(['nested_sequential.keras', 'nested_functional.h5', 'teachable_machine', 'keras21_list.h5', 'shared_layer.keras'])(
    '%s has prunable channel groups',
    async (name) => {
      const { model } = await importModel(tree(name));
      const graph = buildChannelGraph(model);
      expect(graph.groups.filter((g) => g.prunable && g.producers.length > 0).length).toBeGreaterThan(0);
    },
  );
});
