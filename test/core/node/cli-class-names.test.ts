import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from '../../../core/models/io/export-model.js';
import { runCli } from './run-cli.js';

// The built command line (npm test builds dist/ first), run as a user would: a model file that does not name its
// classes, whose outputs are the data set's classes in another order, and a labels file that names them.
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-class-names-'));
const modelDir = join(folder, 'model');
const data = join(folder, 'colours');
const labels = join(folder, 'labels.txt');

const pruneflow = (args: string[]) => runCli(args, { env: { ...process.env, PRUNEFLOW_SETTINGS: join(folder, 'settings.json') } });

/**
 * Output k of the model fires on the colour MODEL_ORDER[k]: green, red, blue, where the data's folders sort blue, green,
 * red. A cyclic order: no colour order a preset tries (BGR swaps red and blue) puts it back.
 */
const MODEL_ORDER = ['green', 'red', 'blue'];
const CHANNEL = { red: 0, green: 1, blue: 2 } as const;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // A 1x1 convolution that copies the channels (prunable), the mean colour, and a dense layer that routes each colour to its output.
  const input = tfl.input({ shape: [8, 8, 3] });
  const conv = tfl.layers.conv2d({
    filters: 3,
    kernelSize: 1,
    activation: 'relu',
    name: 'copy',
    weights: [tf.reshape(tf.eye(3), [1, 1, 3, 3]), tf.zeros([3])],
  });
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(conv.apply(input)) as tfl.SymbolicTensor;
  const kernel = tf.tensor2d([0, 1, 2].map((c) => MODEL_ORDER.map((colour) => (CHANNEL[colour as keyof typeof CHANNEL] === c ? 10 : 0))));
  const dense = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'classes', weights: [kernel, tf.zeros([3])] });
  const model = tfl.model({ inputs: input, outputs: dense.apply(pooled) as tfl.SymbolicTensor });
  mkdirSync(modelDir);
  for (const file of await exportModel(model, 'tfjs')) writeFileSync(join(modelDir, file.name), file.bytes);
  model.dispose();
  let seed = 5;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 60;
  for (const split of ['train', 'test'])
    for (const colour of MODEL_ORDER) {
      mkdirSync(join(data, split, colour), { recursive: true });
      for (let i = 0; i < 6; i++) {
        const pixels = Uint8Array.from({ length: 8 * 8 * 3 }, (_, p) => (p % 3 === CHANNEL[colour as keyof typeof CHANNEL] ? 180 : 20) + noise());
        writeFileSync(join(data, split, colour, `${i}.png`), encodePng({ width: 8, height: 8, channels: 3, depth: 8, data: pixels }));
      }
    }
  writeFileSync(labels, `${MODEL_ORDER.join('\n')}\n`);
}, 60_000);

describe('naming a model file’s classes on the command line', () => {
  it('eval with --class-names-file scores each image by name; without it, by position', async () => {
    const named = await pruneflow(['eval', join(modelDir, 'model.json'), '--data', data, '--class-names-file', labels, '--json']);
    expect(named.code, named.stderr).toBe(0);
    const withNames = JSON.parse(named.stdout) as { top1: number; images: number; warnings: string[] };
    expect(withNames.images).toBe(18);
    expect(withNames.top1).toBe(1);
    expect(withNames.warnings.join('\n')).toMatch(/classes matched to the model's labels by name \(3 of 3 in another order/);
    const plain = await pruneflow(['eval', join(modelDir, 'model.json'), '--data', data, '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    // By position no colour lands on its own output; the best preset (BGR puts red right) reaches one class in three.
    expect((JSON.parse(plain.stdout) as { top1: number }).top1).toBeLessThan(0.5);
  });

  it('prune --class-names maps the classes before the baseline is measured; a wrong count is refused by name', async () => {
    const args = ['prune', '--model', join(modelDir, 'model.json'), '--data', data, '--target-params', '0.1', '--fine-tune-epochs', '0', '--json'];
    const run = await pruneflow([...args, '--class-names', MODEL_ORDER.join(',')]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { baseline: { accuracy: number }; warnings: string[] };
    expect(result.baseline.accuracy).toBe(1);
    const wrong = await pruneflow([...args, '--class-names', 'red,green']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/2 class names were given \(--class-names\) but .* predicts 3 classes/);
  });
});
