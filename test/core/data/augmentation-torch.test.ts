import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { defaultAugmentation, drawAugmentation } from '../../../core/data/augmentation.js';
import { makeBatch } from '../../../core/data/batches.js';
import { channelStatistics, type ImageDataset } from '../../../core/data/image-dataset.js';
import { seededRandom } from '../../../core/data/random.js';
import { runPython } from '../../interop/python.js';

/**
 * The papers' CIFAR augmentation, against torchvision: RandomCrop(padding=4) (zero padding before Normalize)
 * then RandomHorizontalFlip, with the same draws, must give the same float images as makeBatch.
 */

let folder: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  folder = await mkdtemp(join(tmpdir(), 'augment-torch-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('crop-and-flip augmentation against torchvision', () => {
  it('gives the images torchvision gives for the same crop windows and flips', async () => {
    // Not square, so a swapped axis shows.
    const [count, height, width, channels] = [12, 9, 7, 3];
    const random = seededRandom(3);
    const images = Uint8Array.from({ length: count * height * width * channels }, () => Math.floor(random() * 256));
    const data: ImageDataset = { name: 'noise', images, labels: new Uint8Array(count), count, height, width, channels, classNames: ['a', 'b'] };
    const norm = channelStatistics(data);
    const augmentation = defaultAugmentation('natural');
    expect(augmentation).toEqual({ cropPadding: 4, horizontalFlip: true });
    const draws = Array.from({ length: count }, () => drawAugmentation(augmentation, random));
    // The corners of the window's range and both flips are among them.
    draws[0] = { dy: -4, dx: -4, flip: false };
    draws[1] = { dy: 4, dx: 4, flip: true };
    draws[2] = { dy: -4, dx: 4, flip: true };
    expect(new Set(draws.map((d) => d.flip)).size).toBe(2);
    const batch = makeBatch(
      data,
      Int32Array.from({ length: count }, (_, i) => i),
      norm,
      draws,
    );
    const ours = batch.x.dataSync();
    tf.dispose([batch.x, batch.y]);

    const spec = {
      shape: [count, height, width, channels],
      images: Array.from(images),
      padding: 4,
      mean: norm.mean,
      std: norm.std,
      // torchvision's window: top-left corner in the padded image.
      draws: draws.map((d) => ({ top: d.dy + 4, left: d.dx + 4, flip: d.flip })),
    };
    await writeFile(join(folder, 'in.json'), JSON.stringify(spec));
    await runPython(['test/interop/torchvision_augment.py', join(folder, 'in.json'), join(folder, 'out.json')]);
    const theirs = JSON.parse(await readFile(join(folder, 'out.json'), 'utf8')) as number[];
    expect(theirs).toHaveLength(ours.length);
    let worst = 0;
    theirs.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ours[i]))));
    expect(worst).toBeLessThan(1e-5);
  });
});
