import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { makeBatch } from '../../../core/data/batches.js';
import { channelStatistics, type ImageDataset } from '../../../core/data/image-dataset.js';
import { seededRandom, shuffledIndices } from '../../../core/data/random.js';
import { fit, type FitOptions } from '../../../core/train/fit.js';
import { runPython } from '../../interop/python.js';

/**
 * Fine-tuning against PyTorch's recipe: from the same starting weights and the same batches, fit's SGD must
 * land where torch.optim.SGD(momentum=0.9, nesterov, weight_decay) with CosineAnnealingLR does
 * (test/interop/torch_sgd_steps.py), batch-norm moving statistics included.
 */

let folder: string;
beforeAll(async () => {
  await wasmCandidate.load();
  folder = await mkdtemp(join(tmpdir(), 'fit-torch-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function network(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  let x = tfl.layers
    .conv2d({
      name: 'conv',
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: tfl.initializers.heNormal({ seed }),
      biasInitializer: tfl.initializers.randomNormal({ seed: seed + 1, stddev: 0.1 }),
    })
    .apply(input) as tfl.SymbolicTensor;
  // Keras's default momentum 0.99: the run's batchNormMomentum (0.9, PyTorch's 0.1) must replace it.
  x = tfl.layers
    .batchNormalization({ name: 'bn', gammaInitializer: tfl.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: seed + 2 }) })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers
    .dense({ name: 'fc', units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 3 }) })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits });
}

function dataset(count: number, seed: number): ImageDataset {
  const random = seededRandom(seed);
  const images = Uint8Array.from({ length: count * 8 * 8 * 3 }, () => Math.floor(random() * 256));
  const labels = Uint8Array.from({ length: count }, () => Math.floor(random() * 3));
  return { name: 'noise', images, labels, count, height: 8, width: 8, channels: 3, classNames: ['a', 'b', 'c'] };
}

const asJson = (t: tf.Tensor) => ({ shape: t.shape, data: Array.from(t.dataSync()) });
type Weights = Record<string, { shape: number[]; data: number[] }[]>;
const LAYERS = ['conv', 'bn', 'fc'];

/** The largest difference over every weight, relative to that weight's largest magnitude. */
function worstRelative(ours: Weights, theirs: Weights, only?: (layer: string, index: number) => boolean): number {
  let worst = 0;
  for (const layer of LAYERS) {
    ours[layer].forEach((weight, i) => {
      if (only && !only(layer, i)) return;
      expect(weight.shape).toEqual(theirs[layer][i].shape);
      const scale = Math.max(...weight.data.map(Math.abs));
      weight.data.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - theirs[layer][i].data[k]) / scale)));
    });
  }
  return worst;
}

const CASES: { name: string; recipe: Required<Pick<FitOptions, 'nesterov' | 'weightDecayOn' | 'scheduleEvery'>> }[] = [
  { name: 'Nesterov, decay on every weight, cosine per epoch', recipe: { nesterov: true, weightDecayOn: 'all', scheduleEvery: 'epoch' } },
  { name: 'plain momentum, decay on kernels, cosine per batch', recipe: { nesterov: false, weightDecayOn: 'kernels', scheduleEvery: 'batch' } },
];

describe('SGD fine-tuning against torch.optim.SGD', () => {
  it.each(CASES)('$name: the same weights after 4 epochs of 3 batches', async ({ name, recipe }) => {
    const data = dataset(40, 7);
    const norm = channelStatistics(data);
    const [epochs, batchSize, seed, learningRate, weightDecay] = [4, 16, 5, 0.1, 5e-3];
    const model = network(3);
    const start = Object.fromEntries(LAYERS.map((l) => [l, model.getLayer(l).getWeights().map(asJson)]));
    // fit's batches: one shuffle per epoch from the run's seed (no augmentation draws in between).
    const random = seededRandom(seed);
    const batches = Array.from({ length: epochs }, () => {
      const order = shuffledIndices(data.count, random);
      return [0, 16, 32].map((s) => Array.from(order.subarray(s, s + batchSize)));
    });
    const all = makeBatch(
      data,
      Int32Array.from({ length: data.count }, (_, i) => i),
      norm,
    );
    const spec = {
      weights: start,
      images: asJson(all.x),
      labels: Array.from(data.labels),
      batches,
      learningRate,
      weightDecay,
      batchNormMomentum: 0.9,
      ...recipe,
    };
    tf.dispose([all.x, all.y]);
    const file = (suffix: string) => join(folder, `${name.replace(/\W+/g, '-')}-${suffix}.json`);
    await writeFile(file('in'), JSON.stringify(spec));

    const losses: number[] = [];
    await fit(model, data, norm, {
      epochs,
      batchSize,
      learningRate,
      seed,
      stage: 'fine-tuning',
      optimizer: 'sgd',
      weightDecay,
      batchNormMomentum: 0.9,
      schedule: 'cosine',
      ...recipe,
      onProgress: (p) => void (p.metrics && losses.push(p.metrics.loss)),
    });
    await runPython(['test/interop/torch_sgd_steps.py', file('in'), file('out')]);
    const torch = JSON.parse(await readFile(file('out'), 'utf8')) as { losses: number[]; weights: Weights };
    const ours = Object.fromEntries(LAYERS.map((l) => [l, model.getLayer(l).getWeights().map(asJson)])) as Weights;

    expect(losses).toHaveLength(12);
    losses.forEach((loss, i) => expect(loss).toBeCloseTo(torch.losses[i], 6));
    // The weights moved (else equality proves nothing), and moved as PyTorch moved them.
    expect(worstRelative(ours, start as Weights)).toBeGreaterThan(0.05);
    const trainable = worstRelative(ours, torch.weights, (layer, i) => layer !== 'bn' || i < 2);
    expect(trainable).toBeLessThan(5e-6);
    expect(worstRelative(ours, torch.weights, (layer, i) => layer === 'bn' && i === 2)).toBeLessThan(5e-6);
    // PyTorch's moving variance takes the unbiased batch variance (n / (n - 1), n = 16 x 8 x 8), Keras's the biased one.
    expect(worstRelative(ours, torch.weights, (layer, i) => layer === 'bn' && i === 3)).toBeLessThan(2e-3);
    // The layer's own momentum comes back after training.
    expect((model.getLayer('bn') as unknown as { momentum: number }).momentum).toBe(0.99);
    model.dispose();
  });
});
