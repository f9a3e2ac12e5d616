import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { memoryTree } from '../../../../core/data/file-tree.js';
import { buildChannelGraph } from '../../../../core/graph/channel-graph.js';
import { importModel } from '../../../../core/models/io/import-model.js';
import { exportModel } from '../../../../core/models/io/export-model.js';
import { exportOnnx } from '../../../../core/models/io/onnx/onnx-export.js';
import { countFlops } from '../../../../core/models/model-cost.js';
import { planPruning } from '../../../../core/prune/budget.js';
import { pruneModel } from '../../../../core/prune/surgery.js';
import { zooEntry } from '../../../../core/models/zoo.js';
import { SMALL_ONNX, smallOnnx } from '../../../interop/onnx-fixtures.js';
import { checkWithOnnx, maxAbsDiff, randomImages, randomScores, runEngine, runOrt } from './onnx-runtime.js';
import { decodeOnnx } from '../../../../core/models/io/onnx/onnx-proto.js';
import { randomiseBatchNorm } from '../../prune/random-batch-norm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function expectSameAsOrt(model: tfl.LayersModel, bytes: Uint8Array, input: number[], optimize = true): Promise<void> {
  const images = randomImages(3, input, 5);
  const ort = await runOrt(bytes, images, [3, ...input], optimize);
  expect(maxAbsDiff(runEngine(model, images, [3, ...input]), ort.values)).toBeLessThan(1e-4);
}

describe('ONNX export', () => {
  it.each(SMALL_ONNX)('%s: imported, pruned by 30 percent of FLOPs and exported, runs in ONNX Runtime as in the engine', async (name) => {
    const { bytes, info } = smallOnnx(name);
    const { model } = await importModel(memoryTree('fixtures', new Map([[`${name}.onnx`, bytes]])));
    // grouped-net zero-pads (F.pad) before a max pool: ONNX Runtime's PadFusion gets that wrong (see runOrt).
    const optimize = name !== 'grouped-net';
    // Unpruned round trip: names kept, outputs equal.
    const again = await exportOnnx(model);
    await expectSameAsOrt(model, again, info.input, optimize);

    const graph = buildChannelGraph(model);
    // grouped-net: both sides of the grouped conv prune the same count from each of its 4 groups; its output
    // feeds a depthwise conv with channel multiplier 2, whose two outputs per channel go with their channel.
    const reduction = 0.3;
    const plan = planPruning(graph, randomScores(graph, 3), { metric: 'flops', reduction });
    if (name === 'grouped-net') {
      const stem = graph.groups.find((g) => g.producers.includes('stem'))!;
      const grouped = graph.groups.find((g) => g.producers.includes('grouped_Conv'))!;
      expect(grouped).toMatchObject({ prunable: true, blocks: 4, followers: ['depthwise', 'depthwise2'], consumers: ['side', 'logits'] });
      for (const [group, width] of [
        [stem, 4],
        [grouped, 8],
      ] as const) {
        expect(group.blocks).toBe(4);
        const kept = plan.keep.get(group.id) ?? Int32Array.from({ length: group.channels }, (_, c) => c);
        expect([0, 1, 2, 3].map((b) => kept.filter((c) => Math.floor(c / width) === b).length)).toEqual(Array(4).fill(kept.length / 4));
      }
      expect(plan.keep.has(grouped.id)).toBe(true);
    }
    const pruned = await pruneModel(model, graph, plan.keep);
    expect(countFlops(pruned)).toBeLessThan(countFlops(model) * (1 - reduction + 0.05));
    expect(pruned.countParams()).toBeLessThan(model.countParams());
    const exported = await exportOnnx(pruned);
    await expectSameAsOrt(pruned, exported, info.input, optimize);
    const folded = await exportOnnx(pruned, { foldBatchNorm: true });
    await expectSameAsOrt(pruned, folded, info.input, optimize);
    await checkWithOnnx(exported, `${name}-pruned`);
  });

  it("se-silu: squeeze-excitation's Mul ties the scaled channels to the scale's channels; SiLU's Mul stays within one group", async () => {
    const { bytes } = smallOnnx('se-silu');
    const { model } = await importModel(memoryTree('fixtures', new Map([['se.onnx', bytes]])));
    const graph = buildChannelGraph(model);
    const groupOf = (layer: string) => graph.groups.find((g) => g.producers.includes(layer))!;
    expect(model.getLayer('se_Mul').getClassName()).toBe('Multiply');
    expect(groupOf('conv2')).toBe(groupOf('se.expand'));
    expect(groupOf('conv2')).toMatchObject({ prunable: true, followers: ['bn2'] });
    expect(groupOf('se.reduce').prunable).toBe(true);
    expect(model.getLayer('Mul').getClassName()).toBe('Multiply');
    expect(groupOf('conv1')).toMatchObject({ prunable: true, producers: ['conv1'], followers: ['bn1'] });
    // Pruning the SE-coupled group removes the same channels from conv2, bn2 and the excitation conv.
    const keep = new Map([[groupOf('conv2').id, Int32Array.of(0, 3, 5, 8, 13, 21)]]);
    const pruned = await pruneModel(model, graph, keep);
    expect(pruned.getLayer('se.expand').getWeights()[0].shape.at(-1)).toBe(6);
    expect(pruned.getLayer('conv3').getWeights()[0].shape[2]).toBe(6);
    await expectSameAsOrt(pruned, await exportOnnx(pruned), [3, 32, 32]);
  });

  it('an imported model with kept ONNX operators survives a save and reload as TensorFlow.js files', async () => {
    const { bytes, info } = smallOnnx('shuffle-unit');
    const { model } = await importModel(memoryTree('fixtures', new Map([['s.onnx', bytes]])));
    expect(model.layers.map((l) => l.getClassName())).toContain('OnnxOp');
    const files = await exportModel(model, 'tfjs');
    const { model: reloaded } = await importModel(memoryTree('saved', new Map(files.map((f) => [f.name, f.bytes]))));
    await expectSameAsOrt(reloaded, bytes, info.input);
    await expectSameAsOrt(reloaded, await exportOnnx(reloaded), info.input);
  });

  it('keeps the input and output names of an imported ONNX file, with a dynamic batch axis', async () => {
    const { bytes } = smallOnnx('cifar-resnet');
    const { model } = await importModel(memoryTree('fixtures', new Map([['m.onnx', bytes]])));
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(await exportOnnx(model));
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['logits']);
    const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(5 * 3 * 32 * 32), [5, 3, 32, 32]) });
    expect(out.logits.dims).toEqual([5, 10]);
    await session.release();
  });

  it('folds batch norms on request: fewer nodes, no BatchNormalization, the same outputs in ONNX Runtime', async () => {
    const model = zooEntry('resnet20').build({ inputShape: [32, 32, 3], numClasses: 10 });
    randomiseBatchNorm(model);
    const plain = await exportOnnx(model);
    const folded = await exportOnnx(model, { foldBatchNorm: true });
    const ops = (bytes: Uint8Array) => (decodeOnnx(bytes, 'model.onnx').graph?.node ?? []).map((n) => n.op_type);
    expect(ops(plain).filter((op) => op === 'BatchNormalization')).toHaveLength(19);
    expect(ops(folded)).not.toContain('BatchNormalization');
    expect(ops(folded).length).toBeLessThanOrEqual(ops(plain).length - 19);
    const images = randomImages(3, [3, 32, 32], 4);
    const [a, b] = [await runOrt(plain, images, [3, 3, 32, 32]), await runOrt(folded, images, [3, 3, 32, 32])];
    expect(maxAbsDiff(a.values, b.values)).toBeLessThan(1e-4);
    expect(maxAbsDiff(runEngine(model, images, [3, 3, 32, 32]), b.values)).toBeLessThan(1e-4);
  });

  it.each(['resnet20', 'mobilenetv2', 'vgg11', 'demo-cnn'])('zoo model %s exports to ONNX with the engine outputs', async (id) => {
    const model = zooEntry(id).build({ inputShape: [32, 32, 3], numClasses: 10 });
    const bytes = await exportOnnx(model);
    await expectSameAsOrt(model, bytes, [3, 32, 32]);
  });
});
