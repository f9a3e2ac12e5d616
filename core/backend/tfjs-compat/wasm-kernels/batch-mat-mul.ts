/**
 * BatchMatMul for wasm. The stock kernel uses XNNPACK (a fully connected operator) only for a single
 * matrix pair without transposes; with transposeA or transposeB, as in every dense-layer gradient
 * (dy * W^T and x^T * dy), it falls back to a scalar triple loop, 10 to 20 times slower for a 512x512
 * layer. This transposes the flagged operand first (a cheap copy next to the product) and hands the plain
 * product to the stock kernel's XNNPACK path. Batched products go to the stock kernel unchanged.
 */
import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { BACKEND, free, reshape, runStock, stockSetup, transpose } from './kernel-utils.js';

/** The operand as a plain [rows, cols] matrix, transposed when asked; null for a batch of matrices. */
function asMatrix(backend: KernelBackend, t: TensorInfo, transposed: boolean): TensorInfo | null {
  const rank = t.shape.length;
  if (rank < 2 || util.sizeFromShape(t.shape.slice(0, -2)) !== 1) return null;
  const rows = t.shape[rank - 2]!;
  const cols = t.shape[rank - 1]!;
  const matrix = reshape(backend, t, [rows, cols]);
  if (!transposed) return matrix;
  const flipped = transpose(backend, matrix, [1, 0]);
  free(backend, matrix);
  return flipped;
}

function batchMatMul(args: { inputs: BatchMatMulInputs; backend: KernelBackend; attrs: BatchMatMulAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const a = inputs.a as TensorInfo;
  const b = inputs.b as TensorInfo;
  const { transposeA, transposeB } = attrs;
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runStock(BatchMatMul, backend, { a, b }, { ...attrs });
  }
  const a2 = asMatrix(backend, a, transposeA);
  const b2 = a2 == null ? null : asMatrix(backend, b, transposeB);
  if (a2 == null || b2 == null) {
    free(backend, a2);
    return runStock(BatchMatMul, backend, { a, b }, { ...attrs });
  }
  const product = runStock(BatchMatMul, backend, { a: a2, b: b2 }, { transposeA: false, transposeB: false });
  // Same output shape as the stock kernel: the broadcast batch dimensions (all 1 here) and the matrix.
  const rank = Math.max(a.shape.length, b.shape.length);
  const out = reshape(backend, product, [...new Array<number>(rank - 2).fill(1), ...product.shape.slice(-2)]);
  free(backend, a2, b2, product);
  return out;
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: BACKEND,
  setupFunc: stockSetup(BatchMatMul),
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
