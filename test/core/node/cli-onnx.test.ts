import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../build/run.js';
import { runCli } from './run-cli.js';

// The built command line (npm test builds dist/ first), run as a user would, on a file PyTorch exported.
const MODEL = join(ROOT, 'test/fixtures/onnx/cifar-resnet.onnx');
const SUBSET = join(ROOT, 'test/fixtures/cifar/cifar-10-batches-bin');
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-cli-onnx-'));

const pruneflow = (args: string[]) => runCli(args, { env: { ...process.env, PRUNEFLOW_SETTINGS: join(folder, 'settings.json') } });

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

  it("eval on the trained CIFAR ResNet from its ONNX file: PyTorch's top-1 on the same images, within 0.2 points", async () => {
    const model = join(ROOT, 'test/fixtures/onnx/cifar-resnet-trained.onnx');
    const { code, stdout, stderr } = await pruneflow(['eval', model, '--data', SUBSET, '--json']);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as { top1: number; images: number; warnings: string[] };
    // The reference: PyTorch's own predictions on these test images (make_onnx_fixtures.py), fed as it was trained;
    // the file states that normalisation in its metadata, and eval reads it from there.
    const info = JSON.parse(readFileSync(model.replace(/\.onnx$/, '.json'), 'utf8')) as { excerpt: { predictions: number[] } };
    const labels = cifarLabels(join(SUBSET, 'test_batch.bin'));
    const right = labels.filter((label, n) => info.excerpt.predictions[n] === label).length;
    expect(result.images).toBe(labels.length);
    expect(result.warnings.join('\n')).toMatch(/input: .*from the model file/);
    expect(Math.abs(result.top1 - right / labels.length) * 100).toBeLessThanOrEqual(0.2);
  });
});

/** The labels of CIFAR-10 binary records (a label byte, then 3x32x32 pixel bytes each). */
function cifarLabels(path: string): number[] {
  const bytes = readFileSync(path);
  return Array.from({ length: bytes.length / 3073 }, (_, n) => bytes[n * 3073]);
}
