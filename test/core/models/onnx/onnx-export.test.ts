import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { memoryTree } from '../../../../core/data/file-tree.js';
import { buildChannelGraph, maskedCost } from '../../../../core/graph/channel-graph.js';
import { modelReport } from '../../../../core/graph/preflight.js';
import { applyChannelMask } from '../../../../core/prune/channel-mask.js';
import { importModel } from '../../../../core/models/io/import-model.js';
import { exportModel } from '../../../../core/models/io/export-model.js';
import { exportOnnx } from '../../../../core/models/io/onnx/onnx-export.js';
import { countFlops } from '../../../../core/models/model-cost.js';
import { planPruning, planUniform } from '../../../../core/prune/budget.js';
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

  it('concat-grouped: equal parts across conv groups couple in equal runs; unequal parts are not pruned, named; masked = pruned = ORT', async () => {
    const { bytes, info } = smallOnnx('concat-grouped');
    const { model } = await importModel(memoryTree('fixtures', new Map([['cg.onnx', bytes]])));
    const graph = buildChannelGraph(model);
    const groupOf = (layer: string) => graph.groups.find((g) => g.producers.includes(layer))!;
    // 3 x 8 channels into 2 groups of 12: conv group 0 is e and f's first 4, group 1 f's last 4 and h. One mask
    // for e, f and h keeps the same count in its two runs of 4, so both conv groups keep the same count.
    expect(groupOf('e')).toMatchObject({ channels: 8, blocks: 2, prunable: true });
    expect([...groupOf('e').producers].sort()).toEqual(['e', 'f', 'h']);
    // 8 + 24 (on group boundaries) and 12 + 20 (straddling) into 4 groups of 8: counts would have to be tied
    // across different groups; those parts are not pruned, and the pre-flight report says why and where.
    const summary = modelReport(model, graph).summary.join('\n');
    for (const [part, conv, concat, widths] of [
      ['a', 'whole', 'Concat', '8, 24'],
      ['b', 'whole', 'Concat', '8, 24'],
      ['c', 'straddle', 'Concat_1', '12, 20'],
      ['d', 'straddle', 'Concat_1', '12, 20'],
    ]) {
      expect(groupOf(part).prunable).toBe(false);
      const reason = `read by '${conv}' (GroupedConv2D) through the concatenation '${concat}' of parts ${widths} channels wide`;
      expect(groupOf(part).reasons.join()).toContain(reason);
      expect(summary).toContain(`of ${part}: ${reason}`);
    }
    // The grouped convolutions' own outputs still prune, the same count in each of their groups.
    expect(groupOf('whole')).toMatchObject({ prunable: true, blocks: 4 });
    expect(groupOf('straddle')).toMatchObject({ prunable: true, blocks: 4 });
    expect(groupOf('equal')).toMatchObject({ prunable: true, blocks: 2, followers: ['bn'] });
    expect(maskedCost(graph, new Map()).flops).toBe(countFlops(model));

    // Every prunable group cut (uniformly), so each coupling above is exercised.
    const plan = planUniform(graph, randomScores(graph, 5), { metric: 'flops', reduction: 0.4 });
    for (const name of ['e', 'whole', 'straddle', 'equal']) {
      const { id, channels, blocks = 1 } = groupOf(name);
      const kept = plan.keep.get(id);
      expect(kept?.length, name).toBeLessThan(channels);
      const width = channels / blocks;
      expect(new Set(Array.from({ length: blocks }, (_, b) => kept!.filter((c) => Math.floor(c / width) === b).length)).size).toBe(1);
    }
    const pruned = await pruneModel(model, graph, plan.keep);
    const inputs = plan.keep.get(groupOf('e').id)!.length * 3;
    expect(pruned.getLayer('equal').getWeights()[0].shape.slice(0, 3)).toEqual([3, 3, inputs / 2]);
    expect(countFlops(pruned)).toBe(plan.achieved.flops);
    const images = randomImages(3, info.input, 13);
    const shape = [3, ...info.input];
    const prunedOut = runEngine(pruned, images, shape);
    const exported = await exportOnnx(pruned);
    expect(maxAbsDiff(prunedOut, (await runOrt(exported, images, shape)).values)).toBeLessThan(1e-4);
    await checkWithOnnx(exported, 'concat-grouped-40');
    applyChannelMask(model, graph, plan.keep);
    expect(maxAbsDiff(prunedOut, runEngine(model, images, shape))).toBeLessThan(1e-4);
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
