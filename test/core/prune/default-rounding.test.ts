import { describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { zooEntry } from '../../../core/models/zoo.js';
import { defaultRounding, SIMD_BLOCK } from '../../../core/prune/default-rounding.js';

const graphOf = (id: string) => {
  const model = zooEntry(id).build({ inputShape: [32, 32, 3], numClasses: 10 });
  const graph = buildChannelGraph(model);
  model.dispose();
  return graph;
};
const narrowest = (graph: ReturnType<typeof graphOf>) => Math.min(...graph.groups.filter((g) => g.prunable).map((g) => g.channels));

describe('the default rounding of kept channels', () => {
  it("takes the timing engine's block (at least SIMD's 8) where every prunable group is at least two blocks wide", () => {
    const vgg = graphOf('small-vgg');
    expect(narrowest(vgg)).toBeGreaterThanOrEqual(32);
    expect(defaultRounding(vgg, 16)).toMatchObject({ roundTo: 16, why: expect.stringMatching(/^the kernels work on 16 channels at once/) });
    // An engine with a finer block (the wasm profile's 4) still gets SIMD's 8.
    expect(defaultRounding(vgg, 4).roundTo).toBe(SIMD_BLOCK);
    expect(defaultRounding(vgg).roundTo).toBe(SIMD_BLOCK);
  });

  it('halves the block until the narrowest prunable group holds two of it, and says why', () => {
    // ResNet-20's stage 1 has 16 channels: ONNX Runtime's block of 16 would leave it all or nothing.
    const resnet = graphOf('resnet20');
    expect(narrowest(resnet)).toBe(16);
    const choice = defaultRounding(resnet, 16);
    expect(choice.roundTo).toBe(8);
    expect(choice.why).toMatch(/narrowest layer has 16 channels: blocks of 16 would leave it all or nothing/);
    for (const model of ['demo-cnn', 'small-vgg', 'resnet20', 'mobilenetv2']) {
      const graph = graphOf(model);
      const { roundTo } = defaultRounding(graph, 16);
      // Every prunable group can keep a block and drop one; the block is the largest power of two that allows it.
      expect(narrowest(graph) / roundTo).toBeGreaterThanOrEqual(2);
      expect(roundTo === 16 || narrowest(graph) / (roundTo * 2) < 2).toBe(true);
    }
  });
});
