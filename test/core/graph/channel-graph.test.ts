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
    expect(prunable.map((g) => [g.producers, g.followers, g.consumers.map((c) => c.layer)])).toEqual([
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
    expect(group.consumers).toEqual([{ layer: 'fc', spatial: 16 }]);
    expect(maskedCost(graph, new Map([[group.id, 2]])).flops).toBe(16 * 9 * 2 * 2 + 16 * 2 * 3);
  });

  it('leaves a layer it cannot slice alone and says why', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const a = tfl.layers.conv2d({ filters: 4, kernelSize: 3, name: 'a' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.conv2d({ filters: 4, kernelSize: 3, name: 'b' }).apply(a) as tfl.SymbolicTensor;
    const cat = tfl.layers.concatenate({ name: 'cat' }).apply([b, b]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, name: 'fc' }).apply(tfl.layers.globalAveragePooling2d({}).apply(cat) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const graph = buildChannelGraph(tfl.model({ inputs: input, outputs: out }));
    expect(graph.groups.find((g) => g.producers.includes('a'))!.prunable).toBe(true);
    const b_ = graph.groups.find((g) => g.producers.includes('b'))!;
    expect(b_.prunable).toBe(false);
    expect(b_.reasons).toEqual(["read by 'cat' (Concatenate), which Pruneflow cannot slice"]);
  });
});
