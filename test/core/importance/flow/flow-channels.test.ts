import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildChannelGraph } from '../../../../core/graph/channel-graph.js';
import { createCip } from '../../../../core/importance/cip.js';
import { CIP_SPEC_SWITCHES } from '../../../../core/api/run-options.js';
import type { ChannelEdge } from '../../../../core/importance/flow/flow-bands.js';
import { channelEdges, relativeScores, writerColumns } from '../../../../core/importance/flow/flow-channels.js';
import { setWeights } from '../tiny-models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// CIP-SPEC's switches, which the hand-worked edges below follow.
const unitCip = createCip({ ...CIP_SPEC_SWITCHES, unitStatistic: true });

/** Edge pairs as "from>to": weight, for exact comparison with hand-worked numbers. */
function pairs(edge: ChannelEdge): Record<string, number> {
  return Object.fromEntries(Array.from(edge.weight, (w, i) => [`${edge.from[i]}>${edge.to[i]}`, w]));
}

function expectClose(actual: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) expect(actual[key], key).toBeCloseTo(value, 5);
}

/**
 * image [2, 2, 2] -> conv 'a' (3 filters 1x1) -> ReLU -> conv 'b' (2 filters 1x1) -> GAP -> dense 'fc' (2 units), no biases.
 * Every filter of a layer has the same L2 norm (5 in 'a', 3 in 'b'), so with mu = 1 the local score is flat
 * and each writer's importance is 1/2 + r / (2 mean r).
 */
function chain(): tfl.LayersModel {
  const input = tfl.input({ shape: [2, 2, 2], name: 'image' });
  const a = tfl.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false, name: 'a' }).apply(input) as tfl.SymbolicTensor;
  const relu = tfl.layers.reLU({ name: 'relu' }).apply(a) as tfl.SymbolicTensor;
  const b = tfl.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, name: 'b' }).apply(relu) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(b) as tfl.SymbolicTensor;
  const fc = tfl.layers.dense({ units: 2, useBias: false, name: 'fc' }).apply(gap) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: fc });
  // Kernels as [input channel][output channel].
  setWeights(model, 'a', [
    tf.tensor4d(
      [
        [3, 4, 0],
        [4, 3, 5],
      ].flat(),
      [1, 1, 2, 3],
    ),
  ]);
  setWeights(model, 'b', [
    tf.tensor4d(
      [
        [1, 2],
        [2, 1],
        [2, 2],
      ].flat(),
      [1, 1, 3, 2],
    ),
  ]);
  setWeights(model, 'fc', [
    tf.tensor2d([
      [1, 1],
      [1, 3],
    ]),
  ]);
  return model;
}

describe('importance flow, channel level', () => {
  it('links each channel to the next writer with P_dc * I_d, worked by hand', async () => {
    const model = chain();
    const graph = buildChannelGraph(model);
    const analysis = await unitCip.analyse({ model, graph, seed: 1 });
    const columns = writerColumns(model, graph);
    expect(columns.map((c) => [c.layer, c.channels])).toEqual([
      ['a', 3],
      ['b', 2],
      ['fc', 2],
    ]);
    const edges = channelEdges(model, graph, columns, analysis, unitCip.settings);
    expect(edges.map((e) => [e.source, e.target, e.kind])).toEqual([
      [0, 1, 'weights'],
      [1, 2, 'weights'],
    ]);
    // fc is the head: I = 1/2 per class. Its columns |W| = (1, 1) and (1, 3) give P = (1/2, 1/2) and (1/4, 3/4).
    expectClose(pairs(edges[1]), { '0>0': 0.25, '1>0': 0.25, '0>1': 0.125, '1>1': 0.375 });
    // r_b = (0.375, 0.625), mean 0.5: I_b = 1/2 + (0.75, 1.25) / 2 = (0.875, 1.125).
    // b's columns |W| = (1, 2, 2) and (2, 1, 2), rows summing to 5.
    expectClose(pairs(edges[0]), { '0>0': 0.175, '1>0': 0.35, '2>0': 0.35, '0>1': 0.45, '1>1': 0.225, '2>1': 0.45 });
    // The links leaving a channel sum to the message CIP sent it: r_a = (0.625, 0.575, 0.8).
    const sent = [0, 1, 2].map((c) => Array.from(edges[0].weight).reduce((s, w, i) => s + (edges[0].from[i] === c ? w : 0), 0));
    sent.forEach((r, c) => expect(r).toBeCloseTo(analysis.writers.get('a')!.r[c], 6));

    // Node scores: I_a = 1/2 + (0.9375, 0.8625, 1.2) / 2, already of mean 1; fc (not prunable) keeps its I = 1/2 each, i.e. 1 x mean.
    const scores = relativeScores(graph, columns, analysis.scores, analysis);
    [0.96875, 0.93125, 1.1].forEach((v, c) => expect(scores.get(columns[0].group)![c]).toBeCloseTo(v, 5));
    [0.875, 1.125].forEach((v, c) => expect(scores.get(columns[1].group)![c]).toBeCloseTo(v, 5));
    expect(Array.from(scores.get(columns[2].group)!)).toEqual([1, 1]);
    model.dispose();
  });

  it('sends the shortcut share of a residual add to the previous writer of the stream, channel to channel', async () => {
    // image -> conv 'stem' (2) -> ReLU -> conv 'c' (2) -> add(c, relu) -> GAP -> fc: stem and c write one coupled group.
    const input = tfl.input({ shape: [2, 2, 1], name: 'image' });
    const stem = tfl.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, name: 'stem' }).apply(input) as tfl.SymbolicTensor;
    const relu = tfl.layers.reLU({ name: 'relu' }).apply(stem) as tfl.SymbolicTensor;
    const c = tfl.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, name: 'c' }).apply(relu) as tfl.SymbolicTensor;
    const add = tfl.layers.add({ name: 'add' }).apply([c, relu]) as tfl.SymbolicTensor;
    const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(add) as tfl.SymbolicTensor;
    const fc = tfl.layers.dense({ units: 2, useBias: false, name: 'fc' }).apply(gap) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: fc });
    setWeights(model, 'fc', [
      tf.tensor2d([
        [1, 1],
        [1, 3],
      ]),
    ]);
    const graph = buildChannelGraph(model);
    const analysis = await unitCip.analyse({ model, graph, seed: 1 });
    const columns = writerColumns(model, graph);
    expect(columns[0].group).toBe(columns[1].group);
    const residual = channelEdges(model, graph, columns, analysis, unitCip.settings).filter((e) => e.kind === 'residual');
    expect(residual.map((e) => [e.source, e.target])).toEqual([[0, 1]]);
    // The add's output receives r = (0.375, 0.625) from fc; with mu = 1 each input of the add gets half.
    expectClose(pairs(residual[0]), { '0>0': 0.1875, '1>1': 0.3125 });
    model.dispose();
  });
});
