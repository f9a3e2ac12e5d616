import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { ZeroPadShortcut } from '../../../core/models/zero-pad-shortcut.js';

beforeAll(async () => {
  // Pruned ResNets are fine-tuned on wasm: the index-mapped shortcut must have a gradient there.
  await wasmCandidate.load();
});

describe('ZeroPadShortcut with an index map (a pruned option-A shortcut)', () => {
  const layer = () => new ZeroPadShortcut({ outChannels: 4, stride: 2, sourceChannels: [2, -1, 0, -1] });
  const input = () => tf.reshape(tf.range(1, 1 + 2 * 4 * 4 * 3), [2, 4, 4, 3]) as tf.Tensor4D;

  it('copies each output channel from its source channel, zeros where the source is -1', () => {
    const x = input();
    const y = layer().apply(x) as tf.Tensor4D;
    expect(y.shape).toEqual([2, 2, 2, 4]);
    const sub = tf.stridedSlice(x, [0, 0, 0, 0], [2, 4, 4, 3], [1, 2, 2, 1]);
    const zeros = tf.zeros([2, 2, 2, 1]);
    const expected = tf.concat([tf.slice(sub, [0, 0, 0, 2], [-1, -1, -1, 1]), zeros, tf.slice(sub, [0, 0, 0, 0], [-1, -1, -1, 1]), zeros], 3);
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBe(0);
  });

  it('passes gradients on the wasm backend to the channels it reads, none to the dropped one', () => {
    const shortcut = layer();
    const grad = tf.grad((x: tf.Tensor) => tf.sum(shortcut.apply(x) as tf.Tensor))(input());
    const perChannel = Array.from(tf.sum(grad, [0, 1, 2]).dataSync());
    // Each kept channel is read at 2 images x 2 x 2 subsampled positions; channel 1 is read by no output.
    expect(perChannel).toEqual([8, 0, 8]);
  });
});
