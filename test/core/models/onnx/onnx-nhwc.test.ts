import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { memoryTree } from '../../../../core/data/file-tree.js';
import { buildChannelGraph } from '../../../../core/graph/channel-graph.js';
import { importModel } from '../../../../core/models/io/import-model.js';
import { exportOnnx } from '../../../../core/models/io/onnx/onnx-export.js';
import { modelInputContract } from '../../../../core/models/input-contract.js';
import { countFlops } from '../../../../core/models/model-cost.js';
import { planPruning } from '../../../../core/prune/budget.js';
import { pruneModel } from '../../../../core/prune/surgery.js';
import { ROOT } from '../../../build/run.js';
import { maxAbsDiff, randomScores, runOrt } from './onnx-runtime.js';
import { decodeOnnx, type OnnxValueInfo } from '../../../../core/models/io/onnx/onnx-proto.js';
import { modelInputLayout } from '../../../../core/models/input-layout.js';
import { parseProject, serializeProject } from '../../../../core/project/project-codec.js';
import { openStoredModel, storeModel } from '../../../../core/project/stored-model.js';
import { projectOf } from '../../project/project-fixture.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** keras-nhwc.onnx: a Keras CNN as tf2onnx writes it (make_nhwc_fixture.py; tf2onnx itself is not on this machine's index). */
const dir = join(ROOT, 'test/fixtures/onnx');
const bytes = new Uint8Array(readFileSync(join(dir, 'keras-nhwc.onnx')));
const info = JSON.parse(readFileSync(join(dir, 'keras-nhwc.json'), 'utf8')) as {
  input: number[];
  parameters: number;
  images: number[];
  kerasOutputs: number[];
};

const predict = (model: { predict(x: tf.Tensor): unknown }, images: Float32Array) =>
  tf.tidy(() => (model.predict(tf.tensor(images, [2, ...info.input])) as tf.Tensor).dataSync() as Float32Array);

/** A value's dims, -1 for a named (dynamic) one. */
const dims = (info: OnnxValueInfo) => info.type!.tensor_type!.shape!.dim!.map((d) => (d.dim_param ? -1 : Number(d.dim_value)));

describe('an NHWC graph from a TensorFlow converter (tf2onnx layout)', () => {
  it(
    "imports with its layout Transposes absorbed, computes Keras's outputs, prunes, and exports NHWC again: ONNX Runtime runs it on the original " +
      'input layout',
    async () => {
      const { model } = await importModel(memoryTree('keras', new Map([['keras-nhwc.onnx', bytes]])));
      expect(model.inputs[0].shape).toEqual([null, 16, 16, 3]);
      expect(modelInputContract(model)).toBeUndefined(); // no metadata, not torchvision-shaped
      // No kept ONNX operator: the Transposes cost nothing and block nothing.
      expect(model.layers.map((l) => l.getClassName())).not.toContain('OnnxOp');
      expect(model.countParams()).toBe(info.parameters);
      const images = Float32Array.from(info.images);
      expect(maxAbsDiff(predict(model, images), info.kerasOutputs)).toBeLessThan(1e-5);

      const graph = buildChannelGraph(model);
      expect(graph.groups.filter((g) => g.prunable).length).toBeGreaterThanOrEqual(2);
      const plan = planPruning(graph, randomScores(graph, 2), { metric: 'flops', reduction: 0.3 });
      const pruned = await pruneModel(model, graph, plan.keep);
      expect(countFlops(pruned)).toBeLessThan(countFlops(model) * 0.75);
      // Exported in the layout it came in: the same input name, NHWC, so the user's pipeline feeds it as before.
      expect(modelInputLayout(model)).toBe('nhwc');
      expect(modelInputLayout(pruned)).toBe('nhwc');
      const exported = await exportOnnx(pruned);
      const original = decodeOnnx(bytes, 'keras-nhwc.onnx').graph!.input![0];
      const written = decodeOnnx(exported, 'export').graph!.input![0];
      expect(written.name).toBe(original.name);
      expect(dims(written)).toEqual([-1, 16, 16, 3]);
      const ort = await runOrt(exported, images, [2, 16, 16, 3]);
      expect(maxAbsDiff(predict(pruned, images), ort.values)).toBeLessThan(1e-5);
      expect(ort.dims).toEqual([2, 10]);
      // The unpruned model's export takes the original's input exactly: its outputs are Keras's.
      expect(maxAbsDiff((await runOrt(await exportOnnx(model), images, [2, 16, 16, 3])).values, info.kerasOutputs)).toBeLessThan(1e-5);
      // NCHW on request: the dense rows in the flatten order of an NCHW tensor.
      const nchwFile = await exportOnnx(pruned, { channelsLast: false });
      const nchw = tf.tidy(() => tf.transpose(tf.tensor(images, [2, ...info.input]), [0, 3, 1, 2]).dataSync() as Float32Array);
      expect(maxAbsDiff(predict(pruned, images), (await runOrt(nchwFile, nchw, [2, 3, 16, 16])).values)).toBeLessThan(1e-5);
      // A project keeps the layout with its baseline, through its file.
      const project = await parseProject(await serializeProject(await projectOf(model, [])), 'nhwc.pruneflow');
      expect(project.baseline.inputLayout).toBe('nhwc');
      const reopened = await openStoredModel(project.baseline);
      expect(modelInputLayout(reopened)).toBe('nhwc');
      expect(modelInputLayout(await openStoredModel(await storeModel(pruned, 'x', 0)))).toBe('nhwc');
    },
  );
});
