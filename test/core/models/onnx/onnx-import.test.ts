import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { memoryTree } from '../../../../core/data/file-tree.js';
import { importModel } from '../../../../core/models/io/import-model.js';
import { countFlops } from '../../../../core/models/model-cost.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { openModelSource } from '../../../../core/node/open-model-source.js';
import { ROOT } from '../../../build/run.js';
import { SMALL_ONNX, smallOnnx } from '../../../interop/onnx-fixtures.js';
import { decodeOnnx } from '../../../../core/models/io/onnx/onnx-proto.js';
import { maxAbsDiff, randomImages, runEngine, runOrt } from './onnx-runtime.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Files torch.onnx.export wrote (make_onnx_fixtures.py): checked against ONNX Runtime and PyTorch's own counts. */
describe('ONNX files exported by PyTorch', () => {
  it.each(SMALL_ONNX)('%s: same outputs as ONNX Runtime, same parameters and FLOPs as PyTorch', async (name) => {
    const { bytes, info } = smallOnnx(name);
    const { model, format, warnings } = await importModel(memoryTree('fixtures', new Map([[`${name}.onnx`, bytes]])));
    expect(format).toBe('onnx');
    // The opset the file declares is the one PyTorch was asked for (11, 13, 17 and 21 among these files).
    expect(decodeOnnx(bytes, `${name}.onnx`).opset_import?.find((o) => !o.domain)?.version).toBe(info.opset);
    expect(warnings.join('\n')).not.toMatch(/opset/);
    const input = randomImages(4, info.input, 7);
    const expected = await runOrt(bytes, input, [4, ...info.input]);
    const actual = runEngine(model, input, [4, ...info.input]);
    expect(actual.length).toBe(expected.values.length);
    expect(maxAbsDiff(actual, expected.values)).toBeLessThan(1e-4);
    expect(model.countParams()).toBe(info.parameters);
    expect(Math.abs(countFlops(model) - info.macs) / info.macs).toBeLessThan(0.01);
  });
});

/** The newer exporter (torch.onnx.export(dynamo=True)): opset 18, weights in a .onnx.data file beside the model. */
describe('ONNX files from the dynamo exporter, with external data', () => {
  it.each(['se-silu', 'shuffle-unit', 'flatten-chain'])('%s: opened from disk with its data file, same outputs as ONNX Runtime', async (name) => {
    const path = join(ROOT, `test/fixtures/onnx/dynamo/${name}-dynamo.onnx`);
    const info = JSON.parse(readFileSync(path.replace(/\.onnx$/, '.json'), 'utf8')) as { input: number[]; parameters: number; macs: number };
    const { model, format } = await importModel(await openModelSource(path));
    expect(format).toBe('onnx');
    const input = randomImages(1, info.input, 9);
    const session = await ort.InferenceSession.create(path);
    const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [1, ...info.input]) });
    await session.release();
    expect(maxAbsDiff(runEngine(model, input, [1, ...info.input]), result[session.outputNames[0]].data as Float32Array)).toBeLessThan(1e-4);
    expect(model.countParams()).toBe(info.parameters);
    expect(Math.abs(countFlops(model) - info.macs) / info.macs).toBeLessThan(0.01);
  });
});
