import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { ZeroPadShortcut } from '../../../core/models/zero-pad-shortcut.js';
import { applyChannelMask } from '../../../core/prune/channel-mask.js';
import { pruneModel } from '../../../core/prune/surgery.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** One block of a random graph: what it does to the running tensor. */
type Block =
  | { kind: 'residual'; bnA: boolean; bnB: boolean; convB: boolean; relu: boolean }
  | { kind: 'concat'; widths: [number, number]; bnAfter: boolean }
  | { kind: 'depthwise'; bn: boolean; multiplier: number }
  | { kind: 'separable'; width: number; bn: boolean }
  | { kind: 'conv'; width: number; bn: boolean; activation: 'relu' | 'linear' | 'softmax' }
  | { kind: 'shortcut'; width: number; bnA: boolean }
  | { kind: 'softmax' };

interface Spec {
  stem: number;
  stemBn: boolean;
  blocks: Block[];
  head: 'pool' | 'flatten';
  hidden: number;
  seed: number;
}

const width = fc.integer({ min: 2, max: 5 });
const block: fc.Arbitrary<Block> = fc.oneof(
  fc.record({ kind: fc.constant('residual' as const), bnA: fc.boolean(), bnB: fc.boolean(), convB: fc.boolean(), relu: fc.boolean() }),
  fc.record({ kind: fc.constant('concat' as const), widths: fc.tuple(width, width), bnAfter: fc.boolean() }),
  fc.record({ kind: fc.constant('depthwise' as const), bn: fc.boolean(), multiplier: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('separable' as const), width, bn: fc.boolean() }),
  fc.record({
    kind: fc.constant('conv' as const),
    width,
    bn: fc.boolean(),
    activation: fc.constantFrom('relu' as const, 'linear' as const, 'softmax' as const),
  }),
  fc.record({ kind: fc.constant('shortcut' as const), width: fc.integer({ min: 3, max: 7 }), bnA: fc.boolean() }),
  fc.record({ kind: fc.constant('softmax' as const) }),
);
const spec: fc.Arbitrary<Spec> = fc.record({
  stem: width,
  stemBn: fc.boolean(),
  blocks: fc.array(block, { minLength: 1, maxLength: 4 }),
  head: fc.constantFrom('pool' as const, 'flatten' as const),
  hidden: width,
  seed: fc.integer({ min: 0, max: 1000 }),
});

/** The model a spec describes: 6x6x3 images, 3 classes; every layer named by its place. */
function buildModel(s: Spec): tfl.LayersModel {
  let n = 0;
  const name = (kind: string) => `${kind}_${n++}`;
  const conv = (x: tfl.SymbolicTensor, filters: number, options: { strides?: number; activation?: string } = {}) =>
    tfl.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        strides: options.strides ?? 1,
        activation: (options.activation ?? 'linear') as 'linear',
        name: name('conv'),
        seed: s.seed + n,
      } as never)
      .apply(x) as tfl.SymbolicTensor;
  const bn = (x: tfl.SymbolicTensor) => tfl.layers.batchNormalization({ name: name('bn') }).apply(x) as tfl.SymbolicTensor;
  const relu = (x: tfl.SymbolicTensor) => tfl.layers.reLU({ name: name('relu') }).apply(x) as tfl.SymbolicTensor;
  const channels = (x: tfl.SymbolicTensor) => x.shape[3] as number;

  const input = tfl.input({ shape: [6, 6, 3], name: 'image' });
  let x = conv(input, s.stem);
  if (s.stemBn) x = bn(x);
  x = relu(x);
  for (const b of s.blocks) {
    if (b.kind === 'residual') {
      let a = conv(x, channels(x));
      if (b.bnA) a = bn(a);
      let other = b.convB ? conv(x, channels(x)) : x;
      if (b.bnB) other = bn(other);
      x = tfl.layers.add({ name: name('add') }).apply([a, other]) as tfl.SymbolicTensor;
      if (b.relu) x = relu(x);
    } else if (b.kind === 'concat') {
      x = tfl.layers.concatenate({ name: name('concat') }).apply([conv(x, b.widths[0]), conv(x, b.widths[1])]) as tfl.SymbolicTensor;
      if (b.bnAfter) x = bn(x);
    } else if (b.kind === 'depthwise') {
      x = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: b.multiplier, name: name('depthwise') }).apply(x) as tfl.SymbolicTensor;
      if (b.bn) x = bn(x);
    } else if (b.kind === 'separable') {
      x = tfl.layers.separableConv2d({ filters: b.width, kernelSize: 3, padding: 'same', name: name('separable') }).apply(x) as tfl.SymbolicTensor;
      if (b.bn) x = bn(x);
    } else if (b.kind === 'conv') {
      x = conv(x, b.width, { activation: b.activation });
      if (b.bn) x = bn(x);
    } else if (b.kind === 'shortcut') {
      const out = Math.max(b.width, channels(x));
      let a = conv(x, out, { strides: 2 });
      if (b.bnA) a = bn(a);
      const shortcut = new ZeroPadShortcut({ stride: 2, outChannels: out, name: name('shortcut') }).apply(x) as tfl.SymbolicTensor;
      x = tfl.layers.add({ name: name('add') }).apply([a, shortcut]) as tfl.SymbolicTensor;
    } else {
      x = tfl.layers.softmax({ axis: -1, name: name('softmax') }).apply(x) as tfl.SymbolicTensor;
    }
  }
  x =
    s.head === 'pool'
      ? (tfl.layers.globalAveragePooling2d({ name: name('pool') }).apply(x) as tfl.SymbolicTensor)
      : (tfl.layers.flatten({ name: name('flatten') }).apply(x) as tfl.SymbolicTensor);
  x = tfl.layers.dense({ units: s.hidden, activation: 'relu', name: name('dense') }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 3, name: name('logits') }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

/** Batch norms far from identity (each its own values), biases non-zero: a channel left half-silenced shows. */
function randomiseWeights(model: tfl.LayersModel, seed: number): void {
  model.layers.forEach((layer, i) => {
    const weights = layer.getWeights();
    if (weights.length === 0) return;
    const values =
      layer.getClassName() === 'BatchNormalization'
        ? [
            tf.randomUniform(weights[0].shape, 0.5, 1.5, 'float32', seed + i),
            tf.randomUniform(weights[0].shape, -0.5, 0.5, 'float32', seed + i + 1),
            tf.randomUniform(weights[0].shape, -0.3, 0.3, 'float32', seed + i + 2),
            tf.randomUniform(weights[0].shape, 0.5, 2, 'float32', seed + i + 3),
          ]
        : weights.map((w, k) => tf.randomUniform(w.shape, -0.5, 0.5, 'float32', seed + 10 * i + k));
    layer.setWeights(values);
    tf.dispose(values);
  });
}

/** A random non-empty, ascending subset of each prunable group's channels (some groups left whole). */
function randomKeep(groups: { id: number; channels: number; prunable: boolean }[], seed: number): Map<number, Int32Array> {
  let state = seed + 1;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const keep = new Map<number, Int32Array>();
  for (const group of groups.filter((g) => g.prunable)) {
    if (next() < 0.2) continue;
    const kept = Array.from({ length: group.channels }, (_, c) => c).filter(() => next() < 0.6);
    if (kept.length === 0) kept.push(Math.floor(next() * group.channels));
    keep.set(group.id, Int32Array.from(kept));
  }
  return keep;
}

describe('mask mode against physical pruning', () => {
  it(
    'on random graphs (residual adds with and without batch norm on each branch, concatenations, depthwise convolutions ' +
      'with channel multipliers and separable convolutions, option-A shortcuts, softmax, dense heads), masked and pruned outputs are equal within 1e-4',
    async () => {
      let pruned = 0;
      await fc.assert(
        fc.asyncProperty(spec, async (s) => {
          const model = buildModel(s);
          randomiseWeights(model, s.seed);
          const graph = buildChannelGraph(model);
          const keep = randomKeep(graph.groups, s.seed);
          const x = tf.randomUniform([2, 6, 6, 3], -1, 1, 'float32', s.seed);
          try {
            const small = await pruneModel(model, graph, keep);
            const expected = tf.tidy(() => (small.predict(x) as tf.Tensor).dataSync());
            small.dispose();
            applyChannelMask(model, graph, keep);
            const masked = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
            const diff = Math.max(...Array.from(masked, (v, i) => Math.abs(v - expected[i])));
            if (keep.size > 0) pruned++;
            expect(diff, JSON.stringify(s)).toBeLessThan(1e-4);
          } finally {
            x.dispose();
            model.dispose();
          }
        }),
        { numRuns: 150, seed: 20261207 },
      );
      // The property said something: most random graphs had a group to cut.
      expect(pruned).toBeGreaterThan(100);
    },
    600_000,
  );
});
