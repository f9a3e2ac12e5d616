import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildChannelGraph, maskedCost } from '../../../core/graph/channel-graph.js';
import { GroupedConv2D } from '../../../core/models/io/onnx/onnx-layers.js';
import { exportOnnx } from '../../../core/models/io/onnx/onnx-export.js';
import { countFlops } from '../../../core/models/model-cost.js';
import { planPruning, planUniform } from '../../../core/prune/budget.js';
import { applyChannelMask } from '../../../core/prune/channel-mask.js';
import { pruneModel } from '../../../core/prune/surgery.js';
import { maxAbsDiff, randomImages, randomScores, runEngine, runOrt } from '../models/onnx/onnx-runtime.js';
import { randomiseBatchNorm } from './random-batch-norm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A ResNeXt-style block: 1x1 conv, grouped 3x3 (4 groups of 4 -> 4 groups of 6), batch norm, grouped 1x1 back (2 groups), a residual add. */
function resnextBlock(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  const stem = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'stem', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  const reduce = tfl.layers.conv2d({ filters: 16, kernelSize: 1, name: 'reduce', activation: 'relu' }).apply(stem) as tfl.SymbolicTensor;
  const grouped = new GroupedConv2D({
    name: 'grouped',
    filters: 24,
    kernelSize: [3, 3],
    strides: [1, 1],
    dilationRate: [1, 1],
    padding: 'same',
    groups: 4,
    useBias: false,
  }).apply(reduce) as tfl.SymbolicTensor;
  const norm = tfl.layers.batchNormalization({ name: 'bn' }).apply(grouped) as tfl.SymbolicTensor;
  const relu = tfl.layers.reLU().apply(norm) as tfl.SymbolicTensor;
  const expand = new GroupedConv2D({
    name: 'expand',
    filters: 8,
    kernelSize: [1, 1],
    strides: [1, 1],
    dilationRate: [1, 1],
    padding: 'valid',
    groups: 2,
    useBias: true,
  }).apply(relu) as tfl.SymbolicTensor;
  const sum = tfl.layers.add().apply([expand, stem]) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(sum) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 5, name: 'fc' }).apply(pooled) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  randomiseBatchNorm(model);
  return model;
}

const perGroup = (kept: Int32Array, channels: number, blocks: number) =>
  Array.from({ length: blocks }, (_, b) => Array.from(kept).filter((c) => Math.floor(c / (channels / blocks)) === b).length);

describe('grouped convolutions in the channel graph', () => {
  it('couple channels group by group: both sides of a grouped conv prune the same count in every group', async () => {
    const model = resnextBlock();
    const graph = buildChannelGraph(model);
    const byProducer = (name: string) => graph.groups.find((g) => g.producers.includes(name))!;
    expect(byProducer('reduce')).toMatchObject({ blocks: 4, prunable: true });
    expect(byProducer('grouped')).toMatchObject({ blocks: 4, prunable: true, followers: ['bn'] });
    // stem and expand are coupled by the add; expand writes them in 2 groups.
    expect(byProducer('expand')).toMatchObject({ blocks: 2, prunable: true });
    expect(byProducer('expand').producers).toContain('stem');
    expect(maskedCost(graph, new Map()).flops).toBe(countFlops(model));

    for (const plan of [planPruning, planUniform]) {
      const chosen = plan(graph, randomScores(graph, 7), { metric: 'flops', reduction: 0.4 });
      expect(chosen.keep.size).toBeGreaterThan(0);
      for (const [id, kept] of chosen.keep) {
        const { channels, blocks = 1 } = graph.groups[id];
        expect(new Set(perGroup(kept, channels, blocks)).size).toBe(1);
      }
      const pruned = await pruneModel(model, graph, chosen.keep);
      expect(countFlops(pruned)).toBe(chosen.achieved.flops);
      expect(pruned.countParams()).toBe(chosen.achieved.params);
      const grouped = pruned.getLayer('grouped');
      // In and out channels stay consistent with 4 groups: kernel [3, 3, in / 4, out].
      const inChannels = (grouped.input as tfl.SymbolicTensor).shape[3]!;
      expect(grouped.getWeights()[0].shape).toEqual([3, 3, inChannels / 4, grouped.getConfig().filters]);
      expect((grouped.getConfig().filters as number) % 4).toBe(0);
      pruned.dispose();
    }
  });

  it('masked and physically pruned models agree, and the pruned ONNX export runs in ONNX Runtime with the same outputs', async () => {
    const model = resnextBlock();
    const graph = buildChannelGraph(model);
    const plan = planPruning(graph, randomScores(graph, 3), { metric: 'flops', reduction: 0.5 });
    expect([...plan.keep.keys()].map((id) => graph.groups[id].blocks ?? 1).some((b) => b > 1)).toBe(true);
    const pruned = await pruneModel(model, graph, plan.keep);
    const images = randomImages(3, [3, 8, 8], 9);
    const shape = [3, 3, 8, 8];
    const prunedOut = runEngine(pruned, images, shape);
    const ort = await runOrt(await exportOnnx(pruned), images, shape);
    expect(maxAbsDiff(prunedOut, ort.values)).toBeLessThan(1e-4);
    applyChannelMask(model, graph, plan.keep);
    expect(maxAbsDiff(prunedOut, runEngine(model, images, shape))).toBeLessThan(1e-4);
  });

  it('refuses a keep that leaves grouped convolution groups unequal, naming the group counts', async () => {
    const model = resnextBlock();
    const graph = buildChannelGraph(model);
    const group = graph.groups.find((g) => g.producers.includes('reduce'))!;
    await expect(pruneModel(model, graph, new Map([[group.id, Int32Array.of(0, 1, 4, 5, 8, 12)]]))).rejects.toThrow(
      /same number of channels in each group, got 2, 2, 1, 1/,
    );
  });

  it('blocks the unequal parts of a concatenation a grouped conv reads, naming it; the conv still prunes its outputs', () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    const a = tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'a' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.conv2d({ filters: 8, kernelSize: 1, name: 'b' }).apply(input) as tfl.SymbolicTensor;
    const cat = tfl.layers.concatenate({ name: 'cat' }).apply([a, b]) as tfl.SymbolicTensor;
    const grouped = groupedConv('g', 6, 3, [1, 1]).apply(cat) as tfl.SymbolicTensor;
    const c = tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'c' }).apply(grouped) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: c });
    const graph = buildChannelGraph(model);
    const groupOf = (name: string) => graph.groups.find((g) => g.producers.includes(name))!;
    expect(groupOf('a').prunable).toBe(false);
    expect(groupOf('b').prunable).toBe(false);
    expect(groupOf('a').reasons.join()).toMatch(/'g' \(GroupedConv2D\) through the concatenation 'cat' of parts 4, 8 channels wide: its 3 groups/);
    expect(groupOf('g')).toMatchObject({ prunable: true, blocks: 3, consumers: ['c'] });
    expect(groupOf('c').prunable).toBe(false); // the model output
    expect(graph.layers.map((l) => l.name)).toContain('g');
    expect(maskedCost(graph, new Map()).flops).toBe(countFlops(model));
  });
});

function groupedConv(name: string, filters: number, groups: number, kernelSize: [number, number]): GroupedConv2D {
  return new GroupedConv2D({ name, filters, kernelSize, strides: [1, 1], dilationRate: [1, 1], padding: 'same', groups, useBias: true });
}

/** A stem, a depthwise conv with channel multiplier 3 and its batch norm, a 1x1 conv reading it, both concatenated, pooled, flattened into a dense layer. */
function depthwiseMultiplierNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  const stem = tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'stem', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  const dw = tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 3, padding: 'same', name: 'dw', biasInitializer: 'randomNormal' }).apply(stem);
  const norm = tfl.layers.batchNormalization({ name: 'bn' }).apply(dw);
  const relu = tfl.layers.reLU().apply(norm) as tfl.SymbolicTensor;
  const pw = tfl.layers.conv2d({ filters: 8, kernelSize: 1, name: 'pw' }).apply(relu) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate().apply([relu, pw]);
  const pooled = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(cat);
  const flat = tfl.layers.flatten().apply(pooled);
  const out = tfl.layers.dense({ units: 5, name: 'fc' }).apply(flat) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  randomiseBatchNorm(model);
  return model;
}

/** Two 1x1 convs of 8 concatenated, a grouped 3x3 conv (4 groups: two per part), batch norm, pooled into a dense layer. */
function concatGroupedNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  const a = tfl.layers.conv2d({ filters: 8, kernelSize: 1, name: 'a', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  const b = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'b', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate().apply([a, b]) as tfl.SymbolicTensor;
  const grouped = groupedConv('g', 12, 4, [3, 3]).apply(cat) as tfl.SymbolicTensor;
  const norm = tfl.layers.batchNormalization({ name: 'bn' }).apply(grouped);
  const relu = tfl.layers.reLU().apply(norm);
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(relu);
  const out = tfl.layers.dense({ units: 5, name: 'fc' }).apply(pooled) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  randomiseBatchNorm(model);
  return model;
}

/** Prunes by `plan`, then: the masked original, the pruned model and its ONNX export in ONNX Runtime compute the same. */
async function expectMaskedPrunedAndOrtAgree(model: tfl.LayersModel, keep: Map<number, Int32Array>): Promise<tfl.LayersModel> {
  const graph = buildChannelGraph(model);
  const pruned = await pruneModel(model, graph, keep);
  const images = randomImages(3, [3, 8, 8], 11);
  const shape = [3, 3, 8, 8];
  const prunedOut = runEngine(pruned, images, shape);
  const ort = await runOrt(await exportOnnx(pruned), images, shape);
  applyChannelMask(model, graph, keep);
  const maskedOut = runEngine(model, images, shape);
  expect(maxAbsDiff(prunedOut, maskedOut)).toBeLessThan(1e-4);
  expect(maxAbsDiff(ort.values, maskedOut)).toBeLessThan(1e-4);
  return pruned;
}

describe('depthwise convolutions with a channel multiplier', () => {
  it("make their outputs part of the input's group: pruning input channel c removes its 3 outputs everywhere", async () => {
    const model = depthwiseMultiplierNet();
    const graph = buildChannelGraph(model);
    const stem = graph.groups.find((g) => g.producers.includes('stem'))!;
    expect(stem).toMatchObject({ channels: 6, prunable: true, followers: ['dw', 'bn'], consumers: ['pw', 'fc'] });
    const ports = (name: string) => graph.layers.find((l) => l.name === name)!;
    expect(ports('dw').outputs).toEqual([{ group: stem.id, channels: 18, repeat: 3 }]);
    expect(ports('fc').inputs.map((s) => s.channels)).toEqual([18, 8]);
    expect(maskedCost(graph, new Map()).flops).toBe(countFlops(model));

    const keep = new Map([[stem.id, Int32Array.of(0, 2, 5)]]);
    const cost = maskedCost(graph, new Map([[stem.id, 3]]));
    const bias = Array.from(model.getLayer('dw').getWeights()[1].dataSync());
    const pruned = await expectMaskedPrunedAndOrtAgree(model, keep);
    expect(pruned.getLayer('dw').getWeights()[0].shape).toEqual([3, 3, 3, 3]);
    expect(pruned.getLayer('bn').getWeights()[0].shape).toEqual([9]);
    expect(pruned.getLayer('pw').getWeights()[0].shape).toEqual([1, 1, 9, 8]);
    expect(pruned.getLayer('fc').getWeights()[0].shape).toEqual([16 * 17, 5]);
    // Kept input 2's outputs are the original's 6, 7, 8: the bias (and kernel) follow their input channel.
    expect(Array.from(pruned.getLayer('dw').getWeights()[1].dataSync())).toEqual(bias.filter((_, o) => [0, 2, 5].includes(Math.floor(o / 3))));
    expect(countFlops(pruned)).toBe(cost.flops);
    expect(pruned.countParams()).toBe(cost.params);
  });

  it('prune in every planner, and the ONNX export equals the masked model', async () => {
    for (const plan of [planPruning, planUniform]) {
      const model = depthwiseMultiplierNet();
      const graph = buildChannelGraph(model);
      const chosen = plan(graph, randomScores(graph, 5), { metric: 'flops', reduction: 0.4 });
      const stem = graph.groups.find((g) => g.producers.includes('stem'))!;
      if (plan === planUniform) expect(chosen.keep.get(stem.id)?.length).toBeLessThan(6);
      const pruned = await expectMaskedPrunedAndOrtAgree(model, chosen.keep);
      expect(countFlops(pruned)).toBe(chosen.achieved.flops);
    }
  });
});

describe('grouped convolutions reading a concatenation', () => {
  it('couple the parts channel by channel, so every conv group keeps the same count', async () => {
    const model = concatGroupedNet();
    const graph = buildChannelGraph(model);
    const groupOf = (name: string) => graph.groups.find((g) => g.producers.includes(name))!;
    expect(groupOf('a')).toBe(groupOf('b'));
    expect(groupOf('a')).toMatchObject({ channels: 8, blocks: 2, prunable: true, producers: ['a', 'b'] });
    expect(groupOf('g')).toMatchObject({ channels: 12, blocks: 4, prunable: true });
    expect(maskedCost(graph, new Map()).flops).toBe(countFlops(model));
    const chosen = planUniform(graph, randomScores(graph, 9), { metric: 'flops', reduction: 0.4 });
    const kept = chosen.keep.get(groupOf('a').id)!;
    expect(kept.length).toBeLessThan(8);
    expect(new Set(perGroup(kept, 8, 2)).size).toBe(1);
    const pruned = await expectMaskedPrunedAndOrtAgree(model, chosen.keep);
    expect(countFlops(pruned)).toBe(chosen.achieved.flops);
    expect(pruned.getLayer('g').getWeights()[0].shape).toEqual([3, 3, (2 * kept.length) / 4, pruned.getLayer('g').getConfig().filters]);
  });
});
