import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { memoryTree } from '../../../core/data/file-tree.js';
import { importModel } from '../../../core/models/io/import-model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../fixtures/models/${name}`, import.meta.url)));

interface Expected {
  input_shape: number[];
  input: number[];
  output_shape: number[];
  output: number[];
}

/**
 * Files written by h5py and zipfile in Keras's layouts (make_keras_h5.py, make_keras3.py beside them),
 * with the outputs numpy computed: nothing of ours wrote them.
 */
describe('Keras files written by another tool', () => {
  it.each([
    { file: 'keras2_functional.h5', id: 'keras-h5', layers: 13, classes: ['InputLayer', 'Conv2D', 'BatchNormalization', 'ReLU', 'DepthwiseConv2D', 'Conv2D'] },
    { file: 'keras2_sequential.h5', id: 'keras-h5', layers: 4, classes: ['Conv2D', 'Flatten', 'Dropout', 'Dense'] },
    { file: 'keras3_functional.keras', id: 'keras', layers: 8, classes: ['InputLayer', 'Conv2D', 'BatchNormalization', 'Conv2D', 'Add', 'LeakyReLU'] },
  ])('$file gives the predictions numpy computed', async ({ file, id, layers, classes }) => {
    const expected = JSON.parse(new TextDecoder().decode(fixture(file.replace(/\.(h5|keras)$/, '.expected.json')))) as Expected;
    const { model, format, warnings } = await importModel(memoryTree('fixtures', new Map([[file, fixture(file)]])));
    expect(format).toBe(id);
    expect(warnings).toEqual([]);
    expect(model.layers).toHaveLength(layers);
    expect(model.layers.slice(0, classes.length).map((l) => l.getClassName())).toEqual(classes);
    const y = tf.tidy(() => (model.predict(tf.tensor(expected.input, expected.input_shape)) as tf.Tensor).arraySync());
    expect(tf.util.flatten(y as number[])).toHaveLength(expected.output.length);
    const diff = Math.max(...tf.util.flatten(y as number[]).map((v, i) => Math.abs(v - expected.output[i])));
    expect(diff).toBeLessThan(1e-5);
  });
});
