import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { buildCifarVgg } from '../../../core/models/vgg-cifar.js';
import { pruneModel } from '../../../core/prune/surgery.js';

describe('surgery on the wasm backend', () => {
  it('gives pruned conv layers a bias the fused wasm kernel accepts', async () => {
    await wasmCandidate.load();
    const model = buildCifarVgg(11, { inputShape: [32, 32, 3], numClasses: 10 });
    const graph = buildChannelGraph(model);
    const keep = new Map(graph.groups.filter((g) => g.prunable).map((g) => [g.id, Int32Array.from({ length: g.channels - 3 }, (_, i) => i)]));
    const pruned = await pruneModel(model, graph, keep);
    const output = pruned.predict(tf.zeros([2, 32, 32, 3])) as tf.Tensor;
    expect(output.shape).toEqual([2, 10]);
    expect(Array.from(output.dataSync()).every(Number.isFinite)).toBe(true);
  });
});
