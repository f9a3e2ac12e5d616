import { describe, expect, it } from 'vitest';
import { fitImages } from '../../../core/data/fit-images.js';
import type { ImageDataset } from '../../../core/data/image-dataset.js';
import { resizeImage } from '../../../core/data/image-resize.js';

const dataset = (images: number[], height: number, width: number, channels: number, count = 1): ImageDataset => ({
  name: 'test',
  images: Uint8Array.from(images),
  labels: new Uint8Array(count),
  count,
  height,
  width,
  channels,
  classNames: ['a'],
});

describe('fitting images to a model input', () => {
  it('turns colour into gray by luma (0.2989 R + 0.587 G + 0.114 B, as tf.image.rgbToGrayscale)', () => {
    const colour = dataset([255, 0, 0, 0, 255, 0, 0, 0, 255, 100, 100, 100], 2, 2, 3);
    const gray = fitImages(colour, { height: 2, width: 2, channels: 1 });
    expect([...gray.images]).toEqual([76, 150, 29, 100]);
    expect([gray.height, gray.width, gray.channels, gray.count]).toEqual([2, 2, 1, 1]);
  });

  it('copies gray into red, green and blue', () => {
    const gray = dataset([10, 200], 1, 2, 1);
    expect([...fitImages(gray, { height: 1, width: 2, channels: 3 }).images]).toEqual([10, 10, 10, 200, 200, 200]);
  });

  it('resizes every image as the image reader does, then converts', () => {
    const pixels = Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => (i * 37) % 256);
    const fitted = fitImages(dataset(pixels, 4, 4, 3, 2), { height: 2, width: 2, channels: 3 });
    const second = resizeImage(Uint8Array.from(pixels.slice(48)), 4, 4, 3, 2, 2);
    expect([...fitted.images.subarray(12)]).toEqual([...second]);
  });

  it('leaves fitting images alone and refuses conversions it does not know', () => {
    const same = dataset([1, 2, 3], 1, 1, 3);
    expect(fitImages(same, { height: 1, width: 1, channels: 3 })).toBe(same);
    expect(() => fitImages(dataset([1, 2, 3, 4], 1, 1, 4), { height: 1, width: 1, channels: 3 })).toThrow(RangeError);
  });
});
