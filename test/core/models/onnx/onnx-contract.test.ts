import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { memoryTree } from '../../../../core/data/file-tree.js';
import type { ImageDataset } from '../../../../core/data/image-dataset.js';
import { importModel } from '../../../../core/models/io/import-model.js';
import { exportModel } from '../../../../core/models/io/export-model.js';
import { exportOnnx } from '../../../../core/models/io/onnx/onnx-export.js';
import { modelInputContract, optionsContract, presetContract, rememberInputContract } from '../../../../core/models/input-contract.js';
import { resolveRunInput } from '../../../../core/session/run-input.js';
import { smallOnnx } from '../../../interop/onnx-fixtures.js';
import { runPython } from '../../../interop/python.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const folder = mkdtempSync(join(tmpdir(), 'pruneflow-onnx-contract-'));

/** A small network with torchvision's shape: one 3 x 224 x 224 input, 1000 classes. */
function imagenetShaped(): tfl.LayersModel {
  const input = tfl.input({ shape: [224, 224, 3], name: 'input' });
  const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 8, strides: 8, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(conv) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 1000, name: 'logits' }).apply(pooled) as tfl.SymbolicTensor });
}

const open = async (bytes: Uint8Array) => importModel(memoryTree('models', new Map([['model.onnx', bytes]])));

/** Sets metadata_props with the onnx package itself (onnx.helper.set_model_props), as another tool would write them. */
async function withProps(bytes: Uint8Array, props: Record<string, string>): Promise<Uint8Array> {
  const path = join(folder, `m-${Object.keys(props).length}-${Date.now()}.onnx`);
  writeFileSync(path, bytes);
  await runPython([
    '-c',
    'import onnx,sys,json; m=onnx.load(sys.argv[1]); del m.metadata_props[:]; ' +
      'onnx.helper.set_model_props(m, json.loads(sys.argv[2])); onnx.save(m, sys.argv[1])',
    path,
    JSON.stringify(props),
  ]);
  return new Uint8Array(readFileSync(path));
}

const colourImages: ImageDataset = {
  name: 'tiny',
  images: new Uint8Array(2 * 224 * 224 * 3).fill(128),
  labels: Uint8Array.of(0, 1),
  count: 2,
  height: 224,
  width: 224,
  channels: 3,
  classNames: ['a', 'b'],
};

describe('the input contract of an ONNX file', () => {
  it("a torchvision-shaped file that says nothing gets the imagenet preset at 224, with a note; the user's flags still win", async () => {
    const bare = await exportOnnx(imagenetShaped());
    const { model, warnings } = await open(bare);
    expect(modelInputContract(model)).toEqual({ ...presetContract('imagenet', 'default'), size: [224, 224, 3] });
    expect(warnings.join('\n')).toMatch(/look like torchvision's.*ImageNet's preprocessing.*--input-preset/);
    const fromFile = await resolveRunInput({ model: 'model.onnx' }, colourImages, model);
    expect(fromFile.contract).toEqual(expect.objectContaining({ preset: 'imagenet', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }));
    expect(fromFile.scores).toBeUndefined();
    const user = await resolveRunInput({ model: 'model.onnx', input: { preset: 'tf' } }, colourImages, model);
    expect(user.contract).toEqual(expect.objectContaining({ preset: 'tf', source: 'user', size: [224, 224, 3] }));
  });

  it('another shape with no metadata states no preprocessing (the run detects it or the user says it)', async () => {
    const { model, warnings } = await open(smallOnnx('cifar-resnet').bytes);
    expect(modelInputContract(model)).toBeUndefined();
    expect(warnings.join('\n')).not.toMatch(/torchvision/);
  });

  it("reads ONNX's image metadata keys and mean / std keys written by other tools", async () => {
    const bare = await exportOnnx(imagenetShaped());
    const caffe = await open(
      await withProps(bare, {
        'Image.BitmapPixelFormat': 'Bgr8',
        'Image.NominalPixelRange': 'NominalRange_0_255',
        mean: '[103.939, 116.779, 123.68]',
        std: '1,1,1',
      }),
    );
    expect(modelInputContract(caffe.model)).toEqual(expect.objectContaining({ preset: 'caffe', source: 'file', size: [224, 224, 3] }));
    const tfRange = await open(await withProps(bare, { 'Image.BitmapPixelFormat': 'Rgb8', 'Image.NominalPixelRange': 'Normalized_1_1' }));
    expect(modelInputContract(tfRange.model)).toEqual(expect.objectContaining({ preset: 'tf', source: 'file' }));
    const custom = await open(await withProps(bare, { mean: '0.5,0.5,0.5', std: '0.25,0.25,0.25' }));
    expect(modelInputContract(custom.model)).toEqual(
      expect.objectContaining({ preset: 'custom', scale: '0-1', colorOrder: 'rgb', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], source: 'file' }),
    );
    expect(custom.warnings.join('\n')).not.toMatch(/torchvision/);
  });

  it('our ONNX exports write the contract into metadata_props, so a round trip keeps it; the onnx package reads them', async () => {
    const { model } = await open(smallOnnx('cifar-resnet').bytes);
    const contract = {
      ...optionsContract({ scale: '0-1', mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] }),
      labels: ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    };
    rememberInputContract(model, contract);
    const [file] = await exportModel(model, 'onnx');
    const path = join(folder, 'roundtrip.onnx');
    writeFileSync(path, file.bytes);
    const props = JSON.parse(
      await runPython([
        '-c',
        'import onnx,sys,json; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m); print(json.dumps({p.key: p.value for p in m.metadata_props}))',
        path,
      ]),
    ) as Record<string, string>;
    expect(props['Image.NominalPixelRange']).toBe('Normalized_0_1');
    expect(props['Image.BitmapPixelFormat']).toBe('Rgb8');
    const again = await open(file.bytes);
    expect(modelInputContract(again.model)).toEqual({ ...contract, source: 'file', size: [32, 32, 3] });
  });
});
