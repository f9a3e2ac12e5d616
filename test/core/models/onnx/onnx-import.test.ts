import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { memoryTree } from '../../../../core/data/file-tree.js';
import { importModel } from '../../../../core/models/io/import-model.js';
import { countFlops } from '../../../../core/models/model-cost.js';
import { SMALL_ONNX, smallOnnx } from '../../../interop/onnx-fixtures.js';
import { maxAbsDiff, randomImages, runEngine, runOrt } from './onnx-runtime.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});


/** Files torch.onnx.export wrote (make_onnx_fixtures.py): checked against ONNX Runtime and PyTorch's own counts. */
describe('ONNX files exported by PyTorch', () => {
  it.each(SMALL_ONNX)('%s: same outputs as ONNX Runtime, same parameters and FLOPs as PyTorch', async (name) => {
    const { bytes, info } = smallOnnx(name);
    const { model, format } = await importModel(memoryTree('fixtures', new Map([[`${name}.onnx`, bytes]])));
    expect(format).toBe('onnx');
    const input = randomImages(4, info.input, 7);
    const expected = await runOrt(bytes, input, [4, ...info.input]);
    const actual = runEngine(model, input, [4, ...info.input]);
    expect(actual.length).toBe(expected.values.length);
    expect(maxAbsDiff(actual, expected.values)).toBeLessThan(1e-4);
    expect(model.countParams()).toBe(info.parameters);
    expect(Math.abs(countFlops(model) - info.macs) / info.macs).toBeLessThan(0.01);
  });
});
