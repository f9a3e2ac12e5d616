import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { latencyCost, type LatencyProfile, predictedTimeShare } from '../../../core/metrics/latency-model.js';
import { LATENCY_PROFILES } from '../../../core/metrics/latency-profiles.js';

// 8x8x3 images, conv 3->16 (group A), conv 16->16 (group B), global pooling, dense 16->10: every conv pair
// costs 8*8 positions * 3*3 taps = 576 multiply-accumulates per input-output channel pair, the dense one 1.
function twoConvs(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  let x = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', name: 'a' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', name: 'b' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 10, name: 'logits' }).apply(x) as tfl.SymbolicTensor });
}

const profile: LatencyProfile = { engine: 'wasm', block: 8, unaligned: 2, fixed: 0, measured: 'test' };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the latency cost model', () => {
  it('pads widths to the block, and charges layers whose pruned width is off the block the unaligned factor', () => {
    const model = twoConvs();
    const graph = buildChannelGraph(model);
    const a = graph.groups.find((g) => g.producers.includes('a'))!.id;
    // Widths padded to 8: the image's 3 channels count as 8, the 10 classes as 16.
    const baseline = 576 * 8 * 16 + 576 * 16 * 16 + 16 * 16;
    expect(latencyCost(graph, new Map(), profile)).toBe(baseline);
    // A keeps 8 (on the block): half the two convolutions' work.
    const onBlock = 576 * 8 * 8 + 576 * 8 * 16 + 16 * 16;
    expect(latencyCost(graph, new Map([[a, 8]]), profile)).toBe(onBlock);
    expect(predictedTimeShare(graph, { graph, kept: new Map([[a, 8]]) }, profile)).toBeCloseTo(onBlock / baseline, 12);
    // A keeps 12: computed as 16, and both layers touching it are off the block: twice the baseline's time for them.
    expect(latencyCost(graph, new Map([[a, 12]]), profile)).toBe(2 * (576 * 8 * 16 + 576 * 16 * 16) + 16 * 16);
    // The fixed share does not shrink.
    expect(predictedTimeShare(graph, { graph, kept: new Map([[a, 8]]) }, { ...profile, fixed: 0.25 })).toBeCloseTo(0.25 + 0.75 * (onBlock / baseline), 12);
    model.dispose();
  });

  it("reads a pruned network's own widths the same as the kept counts on the unpruned graph", () => {
    const model = twoConvs();
    const graph = buildChannelGraph(model);
    const a = graph.groups.find((g) => g.producers.includes('a'))!.id;
    const input = tfl.input({ shape: [8, 8, 3] });
    let x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
    const pruned = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 10 }).apply(x) as tfl.SymbolicTensor });
    expect(predictedTimeShare(graph, { graph: buildChannelGraph(pruned) }, profile)).toBeCloseTo(
      predictedTimeShare(graph, { graph, kept: new Map([[a, 8]]) }, profile),
      12,
    );
    model.dispose();
    pruned.dispose();
  });

  it('has a measured profile per timing engine, each with a block of channels and an off-block cost of at least 1', () => {
    for (const [engine, p] of Object.entries(LATENCY_PROFILES)) {
      expect(p.engine).toBe(engine);
      expect([4, 8, 16, 32]).toContain(p.block);
      expect(p.unaligned).toBeGreaterThanOrEqual(1);
      expect(p.fixed).toBeGreaterThanOrEqual(0);
      expect(p.fixed).toBeLessThan(1);
      expect(p.measured).toMatch(/ResNet-20.*paired runs/);
    }
  });
});
