import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../build/run.js';

// The built command line (npm test builds dist/ first), run as a user would, on a file PyTorch exported.
const CLI = join(ROOT, 'dist/core/node/cli.js');
const MODEL = join(ROOT, 'test/fixtures/onnx/cifar-resnet.onnx');
const SUBSET = join(ROOT, 'test/fixtures/cifar/cifar-10-batches-bin');
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-cli-onnx-'));

function pruneflow(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, PRUNEFLOW_SETTINGS: join(folder, 'settings.json') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pruneflow on ONNX files', () => {
  it('model info reads a PyTorch export: layers named after its modules, the pre-flight report', async () => {
    const { code, stdout, stderr } = await pruneflow(['model', 'info', MODEL]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/layers\.4\.shortcut\.0\s+Conv2D/);
    expect(stdout).toMatch(/total: 176\.4k parameters/);
    expect(stdout).toMatch(/can be pruned/);
  });

  it('prune --model x.onnx --format onnx writes an ONNX file ONNX Runtime runs, smaller, with the same names', async () => {
    const out = join(folder, 'pruned');
    const { code, stdout, stderr } = await pruneflow([
      'prune',
      '--model',
      MODEL,
      '--data',
      SUBSET,
      '--epochs',
      '0',
      '--fine-tune-epochs',
      '0',
      '--sample',
      '100,50',
      '--input-preset',
      'dataset-stats',
      '--target-flops',
      '0.3',
      '--export',
      out,
      '--format',
      'onnx',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as { pruned: { parameters: number }; baseline: { parameters: number } };
    expect(result.pruned.parameters).toBeLessThan(result.baseline.parameters);
    const session = await ort.InferenceSession.create(readFileSync(join(out, 'model.onnx')));
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['logits']);
    const y = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 3 * 32 * 32).fill(0.5), [2, 3, 32, 32]) });
    expect(y.logits.dims).toEqual([2, 10]);
    await session.release();
  });

  it('eval on the trained CIFAR ResNet from its ONNX file: the top-1 ONNX Runtime gives on the same images', async () => {
    const model = join(ROOT, 'test/fixtures/onnx/cifar-resnet-trained.onnx');
    const { code, stdout, stderr } = await pruneflow(['eval', model, '--data', SUBSET, '--json']);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as { top1: number; images: number };
    // The reference: ONNX Runtime on the PyTorch file, images normalised by the training split's channel mean and
    // population deviation, as the model was trained (make_onnx_fixtures.py).
    const train = cifarRecords(join(SUBSET, 'data_batch_1.bin'));
    const test = cifarRecords(join(SUBSET, 'test_batch.bin'));
    const { mean, std } = channelStatistics(train.pixels);
    const x = Float32Array.from(test.pixels, (p, i) => (p / 255 - mean[Math.floor(i / 1024) % 3]) / std[Math.floor(i / 1024) % 3]);
    const session = await ort.InferenceSession.create(readFileSync(model));
    const logits = (await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [test.labels.length, 3, 32, 32]) }))[session.outputNames[0]]
      .data as Float32Array;
    await session.release();
    const right = test.labels.filter((label, n) => argmax(logits.subarray(n * 10, n * 10 + 10)) === label).length;
    expect(result.images).toBe(test.labels.length);
    expect(result.top1).toBeCloseTo(right / test.labels.length, 6);
  });
});

/** CIFAR-10 binary records: a label byte, then 3x32x32 pixels (channel planes, as NCHW). */
function cifarRecords(path: string): { labels: number[]; pixels: Uint8Array } {
  const bytes = readFileSync(path);
  const count = bytes.length / 3073;
  const labels: number[] = [];
  const pixels = new Uint8Array(count * 3072);
  for (let n = 0; n < count; n++) {
    labels.push(bytes[n * 3073]);
    pixels.set(bytes.subarray(n * 3073 + 1, (n + 1) * 3073), n * 3072);
  }
  return { labels, pixels };
}

/** Per-channel mean and population standard deviation of pixels / 255. */
function channelStatistics(pixels: Uint8Array): { mean: number[]; std: number[] } {
  const sum = [0, 0, 0];
  const squares = [0, 0, 0];
  for (let i = 0; i < pixels.length; i++) {
    const c = Math.floor(i / 1024) % 3;
    sum[c] += pixels[i] / 255;
    squares[c] += (pixels[i] / 255) ** 2;
  }
  const n = pixels.length / 3;
  const mean = sum.map((s) => s / n);
  return { mean, std: squares.map((q, c) => Math.sqrt(q / n - mean[c] ** 2)) };
}

const argmax = (v: Float32Array) => v.indexOf(Math.max(...v));
