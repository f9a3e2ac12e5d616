import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { memoryTree } from '../../../core/data/file-tree.js';
import { buildChannelGraph, maskedCost } from '../../../core/graph/channel-graph.js';
import { exportModel } from '../../../core/models/io/export-model.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { countFlops } from '../../../core/models/model-cost.js';
import { MODEL_ZOO } from '../../../core/models/zoo.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { applyChannelMask } from '../../../core/prune/channel-mask.js';
import { pruneModel } from '../../../core/prune/surgery.js';
import { randomiseBatchNorm } from './random-batch-norm.js';

// The whole zoo on wasm (the pure-JS backend would take minutes for ResNet-110 and VGG-19).
beforeAll(async () => {
  await wasmCandidate.load();
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const everyFourth = (channels: number) => Int32Array.from({ length: channels }, (_, i) => i).filter((i) => i % 4 !== 1 || channels < 4);

describe('every zoo model on wasm', () => {
  it.each(MODEL_ZOO.map((entry) => ({ id: entry.id, entry })))('$id: 25% of every group, counted, run, equal to the masked model', async ({ id, entry }) => {
    const input =
      id === 'demo-cnn'
        ? { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 }
        : { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
    const model = entry.build(input);
    randomiseBatchNorm(model);
    const graph = buildChannelGraph(model);
    const keep = new Map(graph.groups.filter((g) => g.prunable).map((g) => [g.id, everyFourth(g.channels)]));
    const pruned = await pruneModel(model, graph, keep);
    expect(countFlops(pruned)).toBe(maskedCost(graph, new Map([...keep].map(([g, k]) => [g, k.length]))).flops);
    const x = tf.randomNormal([2, ...input.inputShape], 0, 1, 'float32', 3);
    const prunedOut = pruned.predict(x) as tf.Tensor;
    applyChannelMask(model, graph, keep);
    expect(maxDiff(prunedOut, model.predict(x) as tf.Tensor)).toBeLessThan(1e-4);
    tf.dispose([x, prunedOut]);
    model.dispose();
    pruned.dispose();
  });
});

describe('pruned models outside Pruneflow', () => {
  it('removing channels whose outgoing weights are zero leaves the outputs unchanged', async () => {
    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 4 });
    randomiseBatchNorm(model);
    const graph = buildChannelGraph(model);
    const group = graph.groups.find((g) => g.producers.includes('block2_conv'))!;
    const removed = [3, 7, 20];
    // block3_conv is the only reader of block2's channels: zero what it reads from the removed ones.
    const reader = model.getLayer('block3_conv');
    const [kernel] = reader.getWeights();
    const mask = tf.tensor4d(
      Array.from({ length: group.channels }, (_, c) => (removed.includes(c) ? 0 : 1)),
      [1, 1, group.channels, 1],
    );
    reader.setWeights([tf.mul(kernel, mask)]);
    const keep = new Map([[group.id, Int32Array.from({ length: group.channels }, (_, c) => c).filter((c) => !removed.includes(c))]]);
    const pruned = await pruneModel(model, graph, keep);
    const x = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 8);
    expect(maxDiff(pruned.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it.each(['tfjs', 'keras-h5', 'keras'] as const)('a pruned model exported as %s imports with the same shapes and predictions', async (format) => {
    const build = format === 'tfjs' ? MODEL_ZOO.find((e) => e.id === 'resnet20')! : MODEL_ZOO.find((e) => e.id === 'mobilenetv2')!;
    const model = build.build({ inputShape: [32, 32, 3], numClasses: 10 });
    randomiseBatchNorm(model);
    const graph = buildChannelGraph(model);
    const pruned = await pruneModel(model, graph, new Map(graph.groups.filter((g) => g.prunable).map((g) => [g.id, everyFourth(g.channels)])));
    const files = await exportModel(pruned, format);
    const { model: imported } = await importModel(memoryTree('export', new Map(files.map((f) => [f.name, f.bytes]))));
    expect(imported.layers.map((l) => l.outputShape)).toEqual(pruned.layers.map((l) => l.outputShape));
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 9);
    expect(maxDiff(imported.predict(x) as tf.Tensor, pruned.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
  });
});
