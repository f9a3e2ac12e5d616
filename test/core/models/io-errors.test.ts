import { readFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { memoryTree } from '../../../core/data/file-tree.js';
import { InputLimitError, setInputLimits } from '../../../core/data/input-limits.js';
import { exportModel } from '../../../core/models/io/export-model.js';
import { writeHdf5 } from '../../../core/models/io/hdf5.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { ModelFormatError, ModelNotRecognisedError, UnsupportedLayerError } from '../../../core/models/io/model-errors.js';
import { buildMobileSequential } from '../../fixtures/models/test-models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Files = Map<string, Uint8Array>;
const text = (s: string) => new TextEncoder().encode(s);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../fixtures/models/${name}`, import.meta.url)));

async function tfjsFiles(): Promise<Files> {
  return new Map((await exportModel(buildMobileSequential(), 'tfjs')).map((f) => [f.name, f.bytes]));
}

/** The tfjs export with model.json rewritten by `edit`. */
async function tfjsEdited(edit: (json: string) => string): Promise<Files> {
  const files = await tfjsFiles();
  files.set('model.json', text(edit(new TextDecoder().decode(files.get('model.json')))));
  return files;
}

/** The Keras 3 fixture with its config.json rewritten by `edit`. */
function kerasEdited(edit: (config: string) => string): Files {
  const entries = unzipSync(fixture('keras3_functional.keras'));
  entries['config.json'] = strToU8(edit(strFromU8(entries['config.json'])));
  return new Map([['model.keras', zipSync(entries)]]);
}

const one = (name: string, bytes: Uint8Array): Files => new Map([[name, bytes]]);
const h5 = fixture('keras2_sequential.h5');

const cases: { name: string; files: () => Promise<Files> | Files; error: new (...args: never[]) => Error; message: RegExp }[] = [
  {
    name: 'tfjs: truncated weight shard',
    files: async () => {
      const files = await tfjsFiles();
      files.set('group1-shard1of1.bin', files.get('group1-shard1of1.bin')!.subarray(0, 100));
      return files;
    },
    error: ModelFormatError,
    message: /^model\.json: weight group 1 needs \d+ bytes but its files hold 100 \(group1-shard1of1\.bin 100 bytes\)/,
  },
  {
    name: 'tfjs: missing weight shard',
    files: async () => {
      const files = await tfjsFiles();
      files.delete('group1-shard1of1.bin');
      return files;
    },
    error: ModelFormatError,
    message: /weight file 'group1-shard1of1\.bin' \(group 1\) is missing/,
  },
  { name: 'tfjs: bad JSON', files: async () => tfjsEdited((j) => j.slice(0, 200)), error: ModelFormatError, message: /^model\.json: not valid JSON/ },
  {
    name: 'tfjs: graph model',
    files: () => one('model.json', text('{"format":"graph-model","modelTopology":{}}')),
    error: ModelFormatError,
    message: /graph model/,
  },
  {
    name: 'tfjs: unknown layer class',
    files: async () => tfjsEdited((j) => j.replace('"class_name":"Flatten"', '"class_name":"Flattenish"')),
    error: UnsupportedLayerError,
    message: /^model\.json: layer 'flat' \(Flattenish\) is a layer class TensorFlow\.js does not have/,
  },
  {
    name: 'h5: not an HDF5 file',
    files: () => one('model.h5', text('PK this is a zip, not HDF5')),
    error: ModelFormatError,
    message: /^model\.h5: not an HDF5 file/,
  },
  {
    name: 'h5: truncated',
    files: () => one('model.h5', h5.subarray(0, 3000)),
    error: ModelFormatError,
    message: /^model\.h5: cannot read the HDF5 file \(truncated or damaged\?\)/,
  },
  {
    name: 'h5: weights only',
    files: async () => one('weights.h5', await writeHdf5((root) => root.create_group('model_weights').create_attribute('layer_names', ['conv2d']))),
    error: ModelFormatError,
    message: /^weights\.h5: holds weights only \(saved with save_weights\)/,
  },
  {
    name: 'h5: Keras 3 weights file',
    files: async () => one('model.weights.h5', unzipSync(fixture('keras3_functional.keras'))['model.weights.h5']),
    error: ModelFormatError,
    message: /holds weights only/,
  },
  {
    name: 'h5: unknown layer class',
    files: async () =>
      one(
        'custom.h5',
        await writeHdf5((root) =>
          root.create_attribute(
            'model_config',
            JSON.stringify({
              class_name: 'Sequential',
              config: { layers: [{ class_name: 'MyAttention', config: { name: 'attn', batch_input_shape: [null, 4] } }] },
            }),
          ),
        ),
      ),
    error: UnsupportedLayerError,
    message: /^custom\.h5: layer 'attn' \(MyAttention\)/,
  },
  {
    name: '.keras: corrupt zip',
    files: () => one('model.keras', fixture('keras3_functional.keras').subarray(0, 500)),
    error: ModelFormatError,
    message: /^model\.keras: not a readable zip archive/,
  },
  {
    name: '.keras: weights that do not fit the config',
    files: () => kerasEdited((c) => c.replace('"units": 3', '"units": 2')),
    error: ModelFormatError,
    message: /^model\.keras\/model\.weights\.h5: weight 'layers\/dense\/vars\/0' has shape \[4,3\], layer 'out' expects \[4,2\]/,
  },
  {
    name: '.keras: ReLU option tfjs lacks',
    files: () =>
      kerasEdited((c) =>
        c.replace(
          '"class_name": "LeakyReLU", "config": {"name": "leaky", "trainable": true, "dtype": {"module": "keras", ' +
            '"class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "negative_slope": 0.1}',
          '"class_name": "ReLU", "config": {"name": "leaky", "threshold": 0.5}',
        ),
      ),
    error: UnsupportedLayerError,
    message: /layer 'leaky' \(ReLU\) uses negative_slope or threshold/,
  },
  // Configs that claim more than the file holds, or a call graph that cannot be built: refused before any layer
  // is built (TensorFlow.js would allocate the 10^9-wide weight, or retry the unresolvable call forever).
  {
    name: 'tfjs: a layer 10^9 units wide',
    files: async () => tfjsEdited((j) => j.replace(/"units":6\b/, '"units":1000000000')),
    error: ModelFormatError,
    message: /^model\.json: layer 'fc' would create a weight 'kernel' of shape \[\d+,1000000000\], more values than the file holds for the whole model \(\d+\)/,
  },
  {
    name: '.keras: a layer 10^9 units wide',
    files: () => kerasEdited((c) => c.replace('"units": 3', '"units": 1000000000')),
    error: ModelFormatError,
    message: /^model\.keras\/config\.json: layer 'out' would create a weight 'kernel' of shape \[4,1000000000\]/,
  },
  {
    name: '.keras: input from a layer that does not exist',
    files: () => kerasEdited((c) => c.replace('"keras_history": ["gap", 0, 0]', '"keras_history": ["gapp", 0, 0]')),
    error: ModelFormatError,
    message: /^model\.keras\/config\.json: layer 'out' takes its input from 'gapp', which is no layer of the model/,
  },
  {
    name: '.keras: a call that is never made',
    files: () => kerasEdited((c) => c.replace('"keras_history": ["gap", 0, 0]', '"keras_history": ["gap", 1, 0]')),
    error: ModelFormatError,
    message: /layer 'out' takes call 1 of layer 'gap', which the model never makes/,
  },
  {
    name: '.keras: a cycle',
    files: () => kerasEdited((c) => c.replace('"keras_history": ["image", 0, 0]', '"keras_history": ["leaky", 0, 0]')),
    error: ModelFormatError,
    message: /layer 'stem' takes call 0 of layer 'leaky', which the model never makes \(a cycle/,
  },
  {
    name: 'no model at all',
    files: () => one('notes.txt', text('hello')),
    error: ModelNotRecognisedError,
    message: /not a model Pruneflow reads \(found notes\.txt\)\. Expected one of:\n {2}- Keras 3 model/,
  },
];

describe('model import errors say which file and what is wrong', () => {
  it.each(cases)('$name', async ({ files, error, message }) => {
    const thrown = await importModel(memoryTree('upload', await files())).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(error);
    expect((thrown as Error).message).toMatch(message);
  });
});

describe('the weights a model file may make the engine allocate', () => {
  afterEach(() => setInputLimits({}));

  it('stop at the global cap (inputLimits.maxUnpackedBytes), before a genuine file of that size is built', async () => {
    const files = await tfjsFiles();
    setInputLimits({ maxUnpackedBytes: 400 });
    const thrown = await importModel(memoryTree('upload', files)).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(InputLimitError);
    expect((thrown as Error).message).toMatch(
      /^model\.json: the model's weights come to \d+ bytes by layer '\w+', more than the limit of 400 \(raise "inputLimits": \{ "maxUnpackedBytes"/,
    );
    setInputLimits({});
    const { model } = await importModel(memoryTree('upload', files));
    expect(model.countParams()).toBeGreaterThan(100);
    model.dispose();
  });
});
