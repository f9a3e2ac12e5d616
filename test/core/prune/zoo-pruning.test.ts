import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildChannelGraph, maskedCost } from '../../../core/graph/channel-graph.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { countFlops } from '../../../core/models/model-cost.js';
import { buildCifarResNet } from '../../../core/models/resnet-cifar.js';
import { buildSmallVgg } from '../../../core/models/small-vgg.js';
import { applyChannelMask } from '../../../core/prune/channel-mask.js';
import { pruneModel } from '../../../core/prune/surgery.js';
import { randomiseBatchNorm } from './random-batch-norm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** expand 1x1 -> depthwise 3x3 -> project 1x1 with a residual add, a concatenation and a separable conv. */
function mobileBlocks(): tfl.LayersModel {
  const input = tfl.input({ shape: [12, 12, 3] });
  const bn = (x: tfl.SymbolicTensor) => tfl.layers.batchNormalization({}).apply(x) as tfl.SymbolicTensor;
  const stem = bn(tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'stem' }).apply(input) as tfl.SymbolicTensor);
  const expand = bn(tfl.layers.conv2d({ filters: 16, kernelSize: 1, name: 'expand' }).apply(stem) as tfl.SymbolicTensor);
  const dw = bn(
    tfl.layers
      .depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'dw' })
      .apply(tfl.layers.reLU({}).apply(expand) as tfl.SymbolicTensor) as tfl.SymbolicTensor,
  );
  const project = bn(tfl.layers.conv2d({ filters: 8, kernelSize: 1, name: 'project' }).apply(dw) as tfl.SymbolicTensor);
  const sum = tfl.layers.add({}).apply([stem, project]) as tfl.SymbolicTensor;
  const side = bn(tfl.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'side' }).apply(sum) as tfl.SymbolicTensor);
  const cat = tfl.layers.concatenate({}).apply([sum, side]) as tfl.SymbolicTensor;
  const head = tfl.layers.conv2d({ filters: 10, kernelSize: 3, strides: 2, name: 'head' }).apply(cat) as tfl.SymbolicTensor;
  const flat = tfl.layers.flatten({}).apply(tfl.layers.reLU({}).apply(head) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 4, name: 'fc' }).apply(flat) as tfl.SymbolicTensor });
}

const ZOO: [string, () => tfl.LayersModel, number[]][] = [
  ['demo CNN', () => buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10 }), [28, 28, 1]],
  ['small VGG', () => buildSmallVgg({ inputShape: [32, 32, 3], numClasses: 10 }), [32, 32, 3]],
  ['ResNet-20', () => buildCifarResNet(20, { inputShape: [32, 32, 3], numClasses: 10 }), [32, 32, 3]],
  ['ResNet-20 with 1x1-conv shortcuts', () => buildCifarResNet(20, { inputShape: [32, 32, 3], numClasses: 10 }, 'conv'), [32, 32, 3]],
  ['mobile blocks (depthwise, add, concat, separable, flatten)', mobileBlocks, [12, 12, 3]],
];

describe('pruning every zoo model', () => {
  it.each(ZOO)('%s: 25%% of every prunable group, physically and masked alike', async (_, build, shape) => {
    const model = build();
    randomiseBatchNorm(model);
    const graph = buildChannelGraph(model);
    // Keep every 4th channel out: a spread that touches each segment of each group.
    const keep = new Map(
      graph.groups
        .filter((g) => g.prunable)
        .map((g) => [g.id, Int32Array.from({ length: g.channels }, (_, i) => i).filter((i) => i % 4 !== 1 || g.channels < 4)]),
    );
    const pruned = await pruneModel(model, graph, keep);
    const expected = maskedCost(graph, new Map([...keep].map(([g, k]) => [g, k.length])));
    expect(countFlops(pruned)).toBe(expected.flops);
    expect(pruned.countParams()).toBe(expected.params);
    expect(countFlops(pruned)).toBeLessThan(countFlops(model));

    const x = tf.randomNormal([2, ...shape], 0, 1, 'float32', 5);
    const prunedOut = pruned.predict(x) as tf.Tensor;
    applyChannelMask(model, graph, keep);
    const maskedOut = model.predict(x) as tf.Tensor;
    expect(prunedOut.shape).toEqual(maskedOut.shape);
    expect(tf.max(tf.abs(tf.sub(prunedOut, maskedOut))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('gives each ResNet stage its own group: the option-A shortcut is an index map, not a coupling', () => {
    const graph = buildChannelGraph(buildCifarResNet(20, { inputShape: [32, 32, 3], numClasses: 10 }));
    const streams = ['stem_conv', 'stage2_block1_b_conv', 'stage3_block1_b_conv'].map((p) => graph.groups.find((g) => g.producers.includes(p))!);
    expect(streams.map((g) => [g.channels, g.prunable])).toEqual([
      [16, true],
      [32, true],
      [64, true],
    ]);
    expect(new Set(streams.map((g) => g.id)).size).toBe(3);
  });

  it("couples the option-B shortcut's 1x1 convolution with its stage's residual stream", () => {
    const graph = buildChannelGraph(buildCifarResNet(20, { inputShape: [32, 32, 3], numClasses: 10 }, 'conv'));
    for (const stage of [2, 3]) {
      const group = graph.groups.find((g) => g.producers.includes(`stage${stage}_block1_shortcut_conv`))!;
      expect(group.producers).toEqual(expect.arrayContaining([`stage${stage}_block1_b_conv`, `stage${stage}_block2_b_conv`, `stage${stage}_block3_b_conv`]));
      expect([group.channels, group.prunable]).toEqual([stage === 2 ? 32 : 64, true]);
    }
    const stem = graph.groups.find((g) => g.producers.includes('stem_conv'))!;
    expect(stem.producers).toEqual(expect.arrayContaining(['stage1_block1_b_conv', 'stage1_block3_b_conv']));
  });
});
