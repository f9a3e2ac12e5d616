import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { memoryTree } from '../../../../core/data/file-tree.js';
import { importModel } from '../../../../core/models/io/import-model.js';
import { decodeOnnx, encodeOnnx, type OnnxModel } from '../../../../core/models/io/onnx/onnx-proto.js';
import { smallOnnx } from '../../../interop/onnx-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const open = (files: Record<string, Uint8Array>) => importModel(memoryTree('bad', new Map(Object.entries(files))));
const clone = (): OnnxModel => decodeOnnx(smallOnnx('flatten-chain').bytes, 'flatten-chain.onnx');

/** Broken files, each made from a real export, each a named error that says which file and which node or tensor. */
describe('bad ONNX files', () => {
  it('a truncated file', async () => {
    const bytes = smallOnnx('cifar-resnet').bytes;
    await expect(open({ 'cut.onnx': bytes.subarray(0, Math.floor(bytes.length / 2)) })).rejects.toMatchObject({
      name: 'ModelFormatError',
      message: expect.stringMatching(/^cut\.onnx: is not a complete ONNX model: the protobuf cannot be read .*truncated/),
    });
  });

  it('an operator Pruneflow does not read', async () => {
    const model = clone();
    const node = model.graph!.node!.find((n) => n.op_type === 'Sigmoid')!;
    node.op_type = 'Celu';
    await expect(open({ 'celu.onnx': encodeOnnx(model) })).rejects.toMatchObject({
      name: 'UnsupportedOnnxOperatorError',
      node: node.name,
      message: expect.stringMatching(
        new RegExp(`^celu\\.onnx: node '${node.name}' \\(Celu\\): is an operator Pruneflow does not read\\. Operators read: .*Conv`),
      ),
    });
  });

  it('an external-data file that is missing', async () => {
    const model = clone();
    const weight = model.graph!.initializer!.find((t) => t.name === 'conv1.weight')!;
    weight.data_location = 1;
    weight.external_data = [{ key: 'location', value: 'weights.bin' }];
    delete weight.raw_data;
    await expect(open({ 'ext.onnx': encodeOnnx(model) })).rejects.toMatchObject({
      name: 'OnnxTensorError',
      message: expect.stringMatching(
        new RegExp(
          /^ext\.onnx: tensor 'conv1\.weight' \(read by node '\/conv1\/Conv' \(Conv\)\) is stored in 'weights\.bin' beside the model, /.source +
            /which cannot be read: .*no file 'weights\.bin'/.source,
        ),
      ),
    });
  });

  it('external data beside the model is read, with its offset', async () => {
    const model = clone();
    const weight = model.graph!.initializer!.find((t) => t.name === 'conv1.weight')!;
    const data = weight.raw_data!;
    const file = new Uint8Array(16 + data.length);
    file.set(data, 16);
    weight.data_location = 1;
    weight.external_data = [
      { key: 'location', value: 'weights.bin' },
      { key: 'offset', value: '16' },
      { key: 'length', value: String(data.length) },
    ];
    delete weight.raw_data;
    const original = await open({ 'm.onnx': smallOnnx('flatten-chain').bytes });
    const { model: external } = await open({ 'sub/m.onnx': encodeOnnx(model), 'sub/weights.bin': file });
    const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 1);
    const diff = tf.max(tf.abs(tf.sub(original.model.predict(x) as tf.Tensor, external.predict(x) as tf.Tensor))).dataSync()[0];
    expect(diff).toBe(0);
  });

  it('external data outside the model folder is refused', async () => {
    const model = clone();
    const weight = model.graph!.initializer!.find((t) => t.name === 'conv1.weight')!;
    weight.data_location = 1;
    weight.external_data = [{ key: 'location', value: '../secret.bin' }];
    delete weight.raw_data;
    await expect(open({ 'up.onnx': encodeOnnx(model) })).rejects.toMatchObject({
      name: 'OnnxTensorError',
      message: expect.stringContaining("outside the model's folder"),
    });
  });

  it('an initializer whose data does not match its shape', async () => {
    const model = clone();
    const weight = model.graph!.initializer!.find((t) => t.name === 'conv1.weight')!;
    weight.dims = [8, 3, 3, 4];
    await expect(open({ 'size.onnx': encodeOnnx(model) })).rejects.toMatchObject({
      name: 'OnnxTensorError',
      message: "size.onnx: tensor 'conv1.weight' (read by node '/conv1/Conv' (Conv)) holds 216 values but its shape [8, 3, 3, 4] needs 288",
    });
  });
});
