import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildChannelGraph, maskedCost } from '../../../core/graph/channel-graph.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { buildCifarResNet } from '../../../core/models/resnet-cifar.js';
import { countFlops } from '../../../core/models/model-cost.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('channel graph', () => {
  it('finds one group per conv of a plain CNN and protects the input and the output', () => {
    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10 });
    const graph = buildChannelGraph(model);
    const prunable = graph.groups.filter((g) => g.prunable);
    expect(prunable.map((g) => [g.producers, g.followers, g.consumers])).toEqual([
      [['block1_conv'], ['block1_bn'], ['block2_conv']],
      [['block2_conv'], ['block2_bn'], ['block3_conv']],
      [['block3_conv'], ['block3_bn'], ['block4_conv']],
      [['block4_conv'], ['block4_bn'], ['fc']],
    ]);
    const unprunable = graph.groups.filter((g) => !g.prunable).map((g) => g.reasons.join());
    expect(unprunable).toEqual(["model input 'image'", "model output 'fc'"]);
  });

  it('counts the same FLOPs and parameters from the graph as from the model', () => {
    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10 });
    const cost = maskedCost(buildChannelGraph(model), new Map());
    expect(cost).toEqual({ flops: countFlops(model), params: model.countParams() });
  });

  it('couples every output an Add joins into one group', () => {
    const model = buildCifarResNet(20, { inputShape: [32, 32, 3], numClasses: 10 });
    const graph = buildChannelGraph(model);
    const stem = graph.groups.find((g) => g.producers.includes('stem_conv'))!;
    expect(stem.producers).toEqual(['stem_conv', 'stage1_block1_b_conv', 'stage1_block2_b_conv', 'stage1_block3_b_conv']);
    // Inner convs of each block are free to prune on their own.
    expect(graph.groups.find((g) => g.producers.includes('stage2_block1_a_conv'))!.prunable).toBe(true);
  });

  it('spreads a channel over its positions when a flatten feeds a dense layer', () => {
    const input = tfl.input({ shape: [6, 6, 2] });
    const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, name: 'conv' }).apply(input) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten().apply(conv) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3, name: 'fc' }).apply(flat) as tfl.SymbolicTensor;
    const graph = buildChannelGraph(tfl.model({ inputs: input, outputs: out }));
    const group = graph.groups.find((g) => g.producers.includes('conv'))!;
    expect(group.consumers).toEqual(['fc']);
    expect(graph.layers.find((l) => l.name === 'fc')!.inSpatial).toBe(16);
    expect(maskedCost(graph, new Map([[group.id, 2]])).flops).toBe(16 * 9 * 2 * 2 + 16 * 2 * 3);
  });

  it('leaves a layer it cannot follow alone, says why, and keeps the rest prunable', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const a = tfl.layers.conv2d({ filters: 4, kernelSize: 3, name: 'a' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.conv2d({ filters: 4, kernelSize: 3, name: 'b' }).apply(a) as tfl.SymbolicTensor;
    const reshaped = tfl.layers.reshape({ targetShape: [4, 4, 2], name: 'squeeze' }).apply(b) as tfl.SymbolicTensor;
    const out = tfl.layers
      .dense({ units: 2, name: 'fc' })
      .apply(tfl.layers.globalAveragePooling2d({}).apply(reshaped) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const graph = buildChannelGraph(tfl.model({ inputs: input, outputs: out }));
    expect(graph.groups.find((g) => g.producers.includes('a'))!.prunable).toBe(true);
    const blocked = graph.groups.find((g) => g.producers.includes('b'))!;
    expect(blocked.prunable).toBe(false);
    expect(blocked.reasons).toEqual(["read by 'squeeze' (Reshape): a reshape that changes the channel count"]);
  });

  it('maps channel ranges through a concatenation', () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    const a = tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'a' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.conv2d({ filters: 6, kernelSize: 1, name: 'b' }).apply(input) as tfl.SymbolicTensor;
    const cat = tfl.layers.concatenate({ name: 'cat' }).apply([a, b]) as tfl.SymbolicTensor;
    const c = tfl.layers.conv2d({ filters: 5, kernelSize: 3, name: 'c' }).apply(cat) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, name: 'fc' }).apply(tfl.layers.globalAveragePooling2d({}).apply(c) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const graph = buildChannelGraph(tfl.model({ inputs: input, outputs: out }));
    const reader = graph.layers.find((l) => l.name === 'c')!;
    expect(reader.inputs.map((s) => [graph.groups[s.group].producers[0], s.channels])).toEqual([
      ['a', 4],
      ['b', 6],
    ]);
    const [ga, gb] = reader.inputs.map((s) => s.group);
    expect(
      maskedCost(
        graph,
        new Map([
          [ga, 2],
          [gb, 3],
        ]),
      ).flops,
    ).toBe(36 * 3 * 2 + 36 * 3 * 3 + 16 * 9 * 5 * 5 + 5 * 2);
  });

  it('ties a depthwise convolution to the channels it filters', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const a = tfl.layers.conv2d({ filters: 8, kernelSize: 1, name: 'expand' }).apply(input) as tfl.SymbolicTensor;
    const d = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'dw' }).apply(a) as tfl.SymbolicTensor;
    const p = tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'project' }).apply(d) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, name: 'fc' }).apply(tfl.layers.globalAveragePooling2d({}).apply(p) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const graph = buildChannelGraph(tfl.model({ inputs: input, outputs: out }));
    const group = graph.groups.find((g) => g.producers.includes('expand'))!;
    expect([group.followers, group.consumers]).toEqual([['dw'], ['project']]);
  });

  it('blocks the channels a softmax mixes (a Softmax layer, a softmax activation, a fused one), not those it only passes', () => {
    const input = tfl.input({ shape: [4, 4, 3] });
    const a = tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'a' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers
      .conv2d({ filters: 4, kernelSize: 1, name: 'b' })
      .apply(tfl.layers.softmax({ axis: -1, name: 'channel_softmax' }).apply(a) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const c = tfl.layers
      .conv2d({ filters: 4, kernelSize: 1, name: 'c' })
      .apply(tfl.layers.activation({ activation: 'softmax', name: 'act_softmax' }).apply(b) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const d = tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'd', activation: 'softmax' }).apply(c) as tfl.SymbolicTensor;
    const e = tfl.layers
      .conv2d({ filters: 4, kernelSize: 1, name: 'e' })
      .apply(tfl.layers.softmax({ axis: 1, name: 'spatial_softmax' }).apply(d) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, name: 'fc' }).apply(tfl.layers.flatten({}).apply(e) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const graph = buildChannelGraph(tfl.model({ inputs: input, outputs: out }));
    const made = (name: string) => graph.groups.find((g) => g.producers.includes(name))!;
    expect(made('a').reasons).toEqual([expect.stringMatching(/channel_softmax.*softmax over the channels/)]);
    expect(made('b').reasons).toEqual([expect.stringMatching(/act_softmax/)]);
    expect(made('d').reasons).toEqual([expect.stringMatching(/'d'.*softmax mixes its channels/)]);
    expect([made('c').prunable, made('e').prunable]).toEqual([true, true]);
  });
});
