import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { countFlops, countTrainableParameters } from '../../core/models/model-cost.js';
import { zooEntry } from '../../core/models/zoo.js';
import { runPython } from './python.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ResNet-20 with 1x1-conv shortcuts (resnet20-b) against PyTorch', () => {
  it("has PyTorch's parameter count and MACs (test/bench/torch_papers.py's network, counted by torch hooks)", async () => {
    const torch = JSON.parse((await runPython(['test/bench/torch_papers.py', 'count'])).trim().split('\n').pop()!) as { parameters: number; macs: number };
    const model = zooEntry('resnet20-b').build({ inputShape: [32, 32, 3], numClasses: 10 });
    expect(countTrainableParameters(model)).toBe(torch.parameters);
    expect(countFlops(model)).toBe(torch.macs);
    // Option B adds two projections to option A's 0.27M: 16x32 and 32x64 weights and their batch norms.
    expect(torch.parameters - countTrainableParameters(zooEntry('resnet20').build({ inputShape: [32, 32, 3], numClasses: 10 }))).toBe(
      16 * 32 + 2 * 32 + 32 * 64 + 2 * 64,
    );
    model.dispose();
  });
});
