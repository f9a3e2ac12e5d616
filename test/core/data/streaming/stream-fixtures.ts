import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import jpeg from 'jpeg-js';

/** A size x size colour JPEG whose pixels depend on its class and number, so every file decodes differently. */
export function classJpeg(size: number, label: number, n: number): Uint8Array {
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      data.set([(x * 16 + n * 7) % 256, (y * 16 + label * 80) % 256, ((x + y) * 8 + n * 3) % 256, 255], (y * size + x) * 4);
    }
  }
  return new Uint8Array(jpeg.encode({ width: size, height: size, data }, 90).data);
}

/** Writes split/class/n.jpg for each class: the first `train` of each class in train/, the rest in test/. */
export function writeJpegFolder(folder: string, classes: readonly string[], perClass: number, train: number, size: number): void {
  classes.forEach((name, label) => {
    for (const split of ['train', 'test']) mkdirSync(join(folder, split, name), { recursive: true });
    for (let n = 0; n < perClass; n++) writeFileSync(join(folder, n < train ? 'train' : 'test', name, `${n}.jpg`), classJpeg(size, label, n));
  });
}

/** One small conv with batch norm and a classifier: training it takes seconds even on the CPU backend. */
export function tinyModel(size: number, classes: number): tfl.LayersModel {
  const input = tfl.input({ shape: [size, size, 3] });
  const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }).apply(input);
  const normed = tfl.layers.batchNormalization().apply(conv);
  const flat = tfl.layers.flatten().apply(tfl.layers.reLU().apply(normed));
  const logits = tfl.layers.dense({ units: classes, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }).apply(flat) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits });
}
