/**
 * HDF5 read in a worker thread (core/node/hdf5-thread.ts, the reader every Node host installs): a file that
 * hangs the HDF5 library is stopped at the deadline, memory is capped, and good files read as Keras wrote them.
 * The worker is the compiled dist/core/node/hdf5-worker.js (rebuilt here when a core source is newer).
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputLimitError, setInputLimits } from '../../../core/data/input-limits.js';
import { memoryTree } from '../../../core/data/file-tree.js';
import { isDataset, readHdf5, writeHdf5 } from '../../../core/models/io/hdf5.js';
import { setHdf5Reader } from '../../../core/models/io/hdf5-reader.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { ModelFileTooComplexError } from '../../../core/models/io/model-errors.js';
import { hdf5WorkerUrl, nodeHdf5Reader } from '../../../core/node/hdf5-thread.js';
import { applyMutations } from '../../bench/fuzz/mutate.js';
import { REGRESSIONS } from '../../bench/fuzz/regressions.js';
import { buildNodeIfStale } from '../../build/run.js';

beforeAll(async () => {
  await buildNodeIfStale(hdf5WorkerUrl());
  await tf.setBackend('cpu');
});
afterEach(() => {
  setInputLimits({});
  setHdf5Reader();
});

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../fixtures/models/${name}`, import.meta.url)));
const tree = (name: string, bytes: Uint8Array) => memoryTree('upload', new Map([[name, bytes]]));

/** keras2_sequential.h5 with 12 bytes inserted: h5wasm 0.10.3 never returns from reading its model_config. */
function hangingFile(): Uint8Array {
  const { mutant } = REGRESSIONS.find((r) => r.target === 'keras-h5' && r.expect === 'ModelFileTooComplexError')!;
  return applyMutations(fixture('keras2_sequential.h5'), mutant.mutations);
}

/** The outputs of the model in `file`, for the input its .expected.json holds (computed by numpy). */
async function predictions(file: string): Promise<{ got: number[]; want: number[] }> {
  const expected = JSON.parse(new TextDecoder().decode(fixture(file.replace(/\.h5$/, '.expected.json')))) as {
    input: number[];
    input_shape: number[];
    output: number[];
  };
  const { model } = await importModel(tree(file, fixture(file)));
  const got = tf.tidy(() => Array.from((model.predict(tf.tensor(expected.input, expected.input_shape)) as tf.Tensor).dataSync()));
  model.dispose();
  return { got, want: expected.output };
}

describe('HDF5 in a worker thread', () => {
  it('stops a file that hangs the HDF5 library at the deadline, names it, and reads the next file as Keras wrote it', async () => {
    setHdf5Reader(nodeHdf5Reader());
    setInputLimits({ maxParseSeconds: 2 });
    const thrown = await importModel(tree('damaged.h5', hangingFile())).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ModelFileTooComplexError);
    expect((thrown as Error).message).toMatch(
      /^damaged\.h5: reading its HDF5 content took longer than 2 s and was stopped; the file is damaged .*"maxParseSeconds"/,
    );
    // The stopped thread is replaced: the next files give the outputs numpy computed.
    for (const file of ['keras2_functional.h5', 'keras2_sequential.h5']) {
      const { got, want } = await predictions(file);
      expect(got).toHaveLength(want.length);
      expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-5);
    }
  });

  it('refuses a dataset whose declared size is over maxUnpackedBytes, before reading it', async () => {
    setHdf5Reader(nodeHdf5Reader());
    const bytes = await writeHdf5((root) => {
      root.create_dataset({ name: 'small', data: new Float32Array(16).fill(2), shape: [16], dtype: '<f' });
      root.create_dataset({ name: 'big', data: new Float32Array(2 ** 18), shape: [2 ** 18], dtype: '<f' });
    });
    setInputLimits({ maxUnpackedBytes: 2 ** 20 - 1 });
    const read = (name: string) =>
      readHdf5(bytes, 'claims.h5', (root) => {
        const d = root.get(name);
        return isDataset(d) ? Array.from(d.value) : undefined;
      });
    expect(await read('small')).toEqual(new Array(16).fill(2));
    const thrown = await read('big').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(InputLimitError);
    expect((thrown as Error).message).toMatch(/^claims\.h5: dataset 'big' holds 1048576 bytes, more than the limit of 1,048,575/);
  });

  it('caps the WebAssembly memory the HDF5 library may grow to', async () => {
    // No room beside the values: a 24 MiB dataset (under the 32 MiB of values allowed) cannot be copied out of a
    // heap capped at 32 MiB once h5wasm's own 16 MiB are counted. With the usual room it reads (checked below).
    const n = 6 * 2 ** 20;
    const bytes = await writeHdf5((root) => root.create_dataset({ name: 'w', data: new Float32Array(n).fill(1), shape: [n], dtype: '<f' }));
    setInputLimits({ maxUnpackedBytes: 32 * 2 ** 20 });
    const sum = (root: Parameters<Parameters<typeof readHdf5>[2]>[0]) => {
      const d = root.get('w');
      return isDataset(d) ? d.value.reduce((a, b) => a + b, 0) : -1;
    };
    setHdf5Reader(nodeHdf5Reader({ wasmOverheadBytes: 0 }));
    const thrown = await readHdf5(bytes, 'wide.h5', sum).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ModelFileTooComplexError);
    expect((thrown as Error).message).toMatch(/^wide\.h5: reading its HDF5 content needed more memory than the reader may take .*"maxUnpackedBytes"/);
    setHdf5Reader(nodeHdf5Reader());
    expect(await readHdf5(bytes, 'wide.h5', sum)).toBe(n);
  });
});
