import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildCifarResNet } from '../../../core/models/resnet-cifar.js';
import { countFlops } from '../../../core/models/model-cost.js';
import { buildSmallVgg } from '../../../core/models/small-vgg.js';
import { ZeroPadShortcut } from '../../../core/models/zero-pad-shortcut.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model zoo', () => {
  it('builds CIFAR ResNet-20 with the published size (0.27M parameters, 40.8M MACs)', () => {
    const model = buildCifarResNet(20, { inputShape: [32, 32, 3], numClasses: 10 });
    const trainable = model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
    expect(Math.abs(trainable / 0.27e6 - 1)).toBeLessThan(0.01);
    expect(Math.abs(countFlops(model) / 40.8e6 - 1)).toBeLessThan(0.01);
  });

  it('counts the MACs of every conv and dense layer of the small VGG', () => {
    const conv = (size: number, cin: number, cout: number) => size * size * 9 * cin * cout;
    const expected = conv(32, 3, 32) + conv(32, 32, 32) + conv(16, 32, 64) + conv(16, 64, 64) + conv(8, 64, 128) + 128 * 10;
    expect(countFlops(buildSmallVgg({ inputShape: [32, 32, 3], numClasses: 10 }))).toBe(expected);
  });

  it('pads the option-A shortcut with zero channels after subsampling, and passes gradients', () => {
    const layer = new ZeroPadShortcut({ outChannels: 4, stride: 2 });
    const x = tf.reshape(tf.range(0, 2 * 5 * 5 * 2), [2, 5, 5, 2]) as tf.Tensor4D;
    const y = layer.apply(x) as tf.Tensor4D;
    expect(y.shape).toEqual([2, 3, 3, 4]);
    const expected = tf.pad(tf.stridedSlice(x, [0, 0, 0, 0], [2, 5, 5, 2], [1, 2, 2, 1]), [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 2],
    ]);
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBe(0);
    const grad = tf.grad((input: tf.Tensor) => tf.sum(layer.apply(input) as tf.Tensor))(x);
    expect(tf.sum(grad).dataSync()[0]).toBe(2 * 3 * 3 * 2);
  });
});
