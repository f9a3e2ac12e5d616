import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { resizeImage } from '../../../core/data/image-resize.js';

const ramp = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 37) % 256);

describe('resizing images', () => {
  it('returns the same pixels when the size does not change', () => {
    const pixels = ramp(12);
    expect(resizeImage(pixels, 2, 2, 3, 2, 2)).toBe(pixels);
  });

  it('averages the pixels each output pixel covers when shrinking', () => {
    const grey = Uint8Array.of(0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150);
    expect([...resizeImage(grey, 4, 4, 1, 2, 2)]).toEqual([25, 45, 105, 125]);
    // 3 -> 2 covers 1.5 pixels each: (0 + 0.5 * 30) / 1.5 = 10 and (0.5 * 30 + 60) / 1.5 = 50.
    expect([...resizeImage(Uint8Array.of(0, 30, 60), 1, 3, 1, 1, 2)]).toEqual([10, 50]);
  });

  it('keeps a flat image flat at any size', () => {
    const flat = new Uint8Array(5 * 7 * 3).fill(77);
    for (const [h, w] of [
      [32, 32],
      [2, 3],
      [9, 4],
      [1, 1],
    ])
      expect(new Set(resizeImage(flat, 5, 7, 3, h, w))).toEqual(new Set([77]));
  });

  it('enlarges like tf.image.resizeBilinear with half-pixel centres', () => {
    const [height, width, channels] = [3, 5, 3];
    const pixels = ramp(height * width * channels);
    const ours = resizeImage(pixels, height, width, channels, 7, 11);
    const theirs = tf.image.resizeBilinear(tf.tensor3d(pixels, [height, width, channels], 'float32'), [7, 11], false, true).dataSync();
    expect(ours.length).toBe(theirs.length);
    for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i] - theirs[i])).toBeLessThanOrEqual(0.5001);
  });
});
