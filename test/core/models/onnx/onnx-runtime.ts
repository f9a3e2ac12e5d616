import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { runPython } from '../../../interop/python.js';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Runs an ONNX file in ONNX Runtime (CPU) on an NCHW batch; the first output's values. `optimize: false`
 * turns ONNX Runtime's graph rewrites off: its PadFusion (1.31) merges a zero Pad into a following MaxPool,
 * whose padding counts as -infinity, which changes the result where values are negative.
 */
export async function runOrt(
  bytes: Uint8Array,
  input: Float32Array,
  shape: number[],
  optimize = true,
): Promise<{ values: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, optimize ? {} : { graphOptimizationLevel: 'disabled' });
  try {
    const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, shape) });
    const out = result[session.outputNames[0]];
    return { values: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

/** Random NCHW images in [0, 1), from a seed. */
export function randomImages(batch: number, [c, h, w]: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomUniform([batch, c, h, w], 0, 1, 'float32', seed).dataSync() as Float32Array);
}

/** The engine's output for NCHW images (transposed to its channels-last input). */
export function runEngine(model: tfl.LayersModel, input: Float32Array, [batch, c, h, w]: number[]): Float32Array {
  return tf.tidy(() => {
    const x = tf.transpose(tf.tensor4d(input, [batch, c, h, w]), [0, 2, 3, 1]);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Random scores per prunable group, seeded: which channels go must not matter to exactness. */
export function randomScores(graph: { groups: { id: number; channels: number; prunable: boolean }[] }, seed: number): Map<number, Float32Array> {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  return new Map(graph.groups.filter((g) => g.prunable).map((g) => [g.id, Float32Array.from({ length: g.channels }, next)]));
}

let checked: string | undefined;

/** onnx.checker (full check, shapes inferred) on a file we wrote: the onnx package's own verdict. */
export async function checkWithOnnx(bytes: Uint8Array, name: string): Promise<void> {
  checked ??= mkdtempSync(join(tmpdir(), 'pruneflow-onnx-'));
  const path = join(checked, `${name}.onnx`);
  writeFileSync(path, bytes);
  const out = await runPython([
    '-c',
    `import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print('ok', m.opset_import[0].version)`,
    path,
  ]);
  expect(out.trim()).toBe('ok 17');
}
