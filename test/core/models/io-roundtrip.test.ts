import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { memoryTree } from '../../../core/data/file-tree.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { checkExportable, exportModel, type ExportFormat } from '../../../core/models/io/export-model.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { ModelExportError } from '../../../core/models/io/model-errors.js';
import { buildCifarResNet } from '../../../core/models/resnet-cifar.js';
import { buildSmallVgg } from '../../../core/models/small-vgg.js';
import { buildBranchy, buildMobileSequential, maxOutputDiff, scrambleWeights } from '../../fixtures/models/test-models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const models: { name: string; build: () => tfl.LayersModel }[] = [
  { name: 'demo CNN', build: () => buildDemoCnn({ inputShape: [16, 16, 3], numClasses: 5 }) },
  { name: 'small VGG', build: () => buildSmallVgg({ inputShape: [16, 16, 3], numClasses: 4 }) },
  { name: 'functional with Add and Concatenate', build: buildBranchy },
  { name: 'Sequential with separable convs', build: buildMobileSequential },
];
const formats: { format: ExportFormat; id: string; files: string[] }[] = [
  { format: 'tfjs', id: 'tfjs-layers', files: ['model.json', 'group1-shard1of1.bin'] },
  { format: 'keras-h5', id: 'keras-h5', files: ['model.h5'] },
  { format: 'keras', id: 'keras', files: ['model.keras'] },
];

async function roundTrip(model: tfl.LayersModel, format: ExportFormat) {
  const files = await exportModel(model, format);
  return { files, imported: await importModel(memoryTree('export', new Map(files.map((f) => [f.name, f.bytes])))) };
}

const layerSummary = (model: tfl.LayersModel) =>
  model.layers.map((l) => ({ name: l.name, className: l.getClassName(), output: l.outputShape, weights: l.weights.map((w) => w.shape) }));

describe('model export and import round trips', () => {
  for (const { name, build } of models) {
    it.each(formats)(`${name}: $format keeps layers, weights and outputs`, async ({ format, id, files }) => {
      const model = build();
      scrambleWeights(model);
      const { files: written, imported } = await roundTrip(model, format);
      expect(written.map((f) => f.name)).toEqual(files);
      expect(imported.format).toBe(id);
      expect(imported.warnings).toEqual([]);
      expect(layerSummary(imported.model)).toEqual(layerSummary(model));
      expect(maxOutputDiff(model, imported.model)).toBeLessThan(1e-6);
    });
  }

  it('reads tfjs weights quantized to uint8 and uint16, through tfjs decoding', async () => {
    const model = buildBranchy();
    scrambleWeights(model);
    const [jsonFile, shard] = await exportModel(model, 'tfjs');
    const json = JSON.parse(new TextDecoder().decode(jsonFile.bytes));
    const floats = new Float32Array(shard.bytes.slice().buffer);
    const parts: Uint8Array[] = [];
    let offset = 0;
    for (const [i, spec] of (json.weightsManifest[0].weights as tf.io.WeightsManifestEntry[]).entries()) {
      const values = floats.subarray(offset, (offset += spec.shape.reduce((a, b) => a * b, 1)));
      const dtype = i % 2 === 0 ? 'uint8' : 'uint16';
      const levels = dtype === 'uint8' ? 255 : 65535;
      const min = Math.min(...values);
      const scale = (Math.max(...values) - min) / levels || 1;
      const ints = Array.from(values, (v) => Math.round((v - min) / scale));
      const q = dtype === 'uint8' ? Uint8Array.from(ints) : Uint16Array.from(ints);
      parts.push(new Uint8Array(q.buffer));
      spec.quantization = { dtype, min, scale };
    }
    const bin = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (bin.set(p, at), at + p.length), 0);
    const files = new Map([
      ['model.json', new TextEncoder().encode(JSON.stringify(json))],
      [shard.name, bin],
    ]);
    const { model: imported } = await importModel(memoryTree('quantized', files));
    for (const layer of model.layers) {
      const [a, b] = [layer.getWeights(), imported.getLayer(layer.name).getWeights()];
      a.forEach((w, i) => expect(tf.max(tf.abs(tf.sub(w, b[i]))).dataSync()[0]).toBeLessThan(0.01));
    }
  });

  it('keeps the custom ZeroPadShortcut layer in the tfjs format', async () => {
    const model = buildCifarResNet(8, { inputShape: [8, 8, 3], numClasses: 3 });
    scrambleWeights(model);
    const { imported } = await roundTrip(model, 'tfjs');
    expect(imported.model.layers.filter((l) => l.getClassName() === 'ZeroPadShortcut')).toHaveLength(2);
    expect(maxOutputDiff(model, imported.model)).toBeLessThan(1e-6);
  });

  it.each(['keras-h5', 'keras'] as const)('writes the ZeroPadShortcut of %s as a fixed 1x1 Conv2D with the same outputs', async (format) => {
    const model = buildCifarResNet(8, { inputShape: [8, 8, 3], numClasses: 3 });
    scrambleWeights(model);
    const { imported } = await roundTrip(model, format);
    const shortcut = imported.model.getLayer('stage2_block1_shortcut');
    expect(shortcut.getClassName()).toBe('Conv2D');
    expect(shortcut.trainable).toBe(false);
    expect(maxOutputDiff(model, imported.model)).toBeLessThan(1e-5);
  });

  it('writes a pruned shortcut (channels mapped, some zero) the same way', async () => {
    const model = buildCifarResNet(8, { inputShape: [8, 8, 3], numClasses: 3 });
    const pruned = await tfl.models.modelFromJSON({
      modelTopology: JSON.parse(
        JSON.stringify(model.toJSON(null, false)).replace(
          '"out_channels":32,"stride":2',
          '"out_channels":32,"stride":2,"source_channels":[' + Array.from({ length: 32 }, (_, o) => (o % 3 === 0 ? -1 : (o * 7) % 16)).join(',') + ']',
        ),
      ),
    });
    expect((pruned.getLayer('stage2_block1_shortcut') as unknown as { sourceChannels?: number[] }).sourceChannels).toHaveLength(32);
    pruned.setWeights(model.getWeights());
    scrambleWeights(pruned);
    const { imported } = await roundTrip(pruned, 'keras');
    expect(maxOutputDiff(pruned, imported.model)).toBeLessThan(1e-5);
  });

  it('refuses a layer Keras has no equivalent for, naming it, before writing anything', () => {
    const model = buildCifarResNet(8, { inputShape: [8, 8, 3], numClasses: 3 });
    expect(() => checkExportable(model, 'keras')).not.toThrow();
    const input = tfl.input({ shape: [4] });
    const odd = tfl.model({ inputs: input, outputs: tfl.layers.thresholdedReLU({ name: 'odd' }).apply(input) as tfl.SymbolicTensor });
    expect(() => checkExportable(odd, 'keras-h5')).toThrow(ModelExportError);
    expect(() => checkExportable(odd, 'keras-h5')).toThrow(/'odd' is a ThresholdedReLU/);
    expect(() => checkExportable(odd, 'tfjs')).not.toThrow();
  });
});
