import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { foldForInference } from '../../../core/models/fold-for-inference.js';
import { countFlops } from '../../../core/models/model-cost.js';
import { MODEL_ZOO } from '../../../core/models/zoo.js';
import { randomiseBatchNorm } from '../prune/random-batch-norm.js';

beforeAll(async () => {
  await wasmCandidate.load();
});

describe('folding batch norm and ReLU for inference', () => {
  it.each(MODEL_ZOO.map((entry) => ({ id: entry.id, entry })))('$id: same outputs, same FLOPs, fewer layers', async ({ id, entry }) => {
    const shape: [number, number, number] = id === 'demo-cnn' ? [28, 28, 1] : [32, 32, 3];
    const model = entry.build({ inputShape: shape, numClasses: 10 });
    randomiseBatchNorm(model);
    const folded = await foldForInference(model);
    expect(folded.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
    expect(folded.layers.length).toBeLessThan(model.layers.length);
    // A ReLU whose input is a conv or dense layer becomes that layer's fused activation.
    const unfusedRelu = folded.layers.filter(
      (l) => l.getClassName() === 'ReLU' && ['Conv2D', 'Dense', 'DepthwiseConv2D'].includes(l.inboundNodes[0].inboundLayers[0].getClassName()),
    );
    expect(unfusedRelu.map((l) => l.name)).toEqual([]);
    expect(countFlops(folded)).toBe(countFlops(model));
    const x = tf.randomNormal([2, ...shape], 0, 1, 'float32', 2);
    // Relative to the output's size: deep residual stacks with random statistics reach large values.
    const [diff, size] = tf.tidy(() => {
      const expected = model.predict(x) as tf.Tensor;
      return [tf.max(tf.abs(tf.sub(folded.predict(x) as tf.Tensor, expected))).dataSync()[0], tf.max(tf.abs(expected)).dataSync()[0]];
    });
    expect(diff / size).toBeLessThan(1e-5);
    model.dispose();
    folded.dispose();
  });
});
