import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { memoryTree } from '../../../../core/data/file-tree.js';
import { importModel } from '../../../../core/models/io/import-model.js';
import { countFlops } from '../../../../core/models/model-cost.js';
import { LARGE_ONNX, largeOnnx } from '../../../interop/onnx-fixtures.js';
import { maxAbsDiff, randomImages, runEngine, runOrt } from './onnx-runtime.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** torchvision's families as torch.onnx.export writes them (made by the reference Python on first use). */
describe('torchvision models exported to ONNX', () => {
  it.each(LARGE_ONNX)('%s: same outputs as ONNX Runtime, same parameters and FLOPs as PyTorch', async (name) => {
    const { bytes, info } = await largeOnnx(name);
    const { model } = await importModel(memoryTree('torchvision', new Map([[`${name}.onnx`, bytes]])));
    const shape = [2, ...info.input];
    const input = randomImages(2, info.input, 11);
    const expected = await runOrt(bytes, input, shape);
    const actual = runEngine(model, input, shape);
    expect(maxAbsDiff(actual, expected.values)).toBeLessThan(1e-4);
    expect(model.countParams()).toBe(info.parameters);
    expect(Math.abs(countFlops(model) - info.macs) / info.macs).toBeLessThan(0.01);
    model.dispose();
  }, 600_000);
});
