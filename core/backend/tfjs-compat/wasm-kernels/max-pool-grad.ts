/**
 * MaxPoolGrad for wasm. The stock kernel recomputes the argmax through a generic 3-D pooling loop (about
 * 25 ms per [64, 32, 32, 32] input) and starts each window at FLT_MIN instead of -Infinity, so a window
 * with no positive value (common after ReLU) sends its gradient to the wrong pixel. No wasm operation
 * expresses "route to the first maximum", so this is a JavaScript loop over the wasm heap with the cpu
 * backend's semantics: each window's gradient goes to its first strictly largest value in row-major
 * order, windows of only NaN or -Infinity pass none. Channels are the inner loop, so every read is
 * contiguous.
 */
import {
  backend_util,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
  type MaxPoolGradInputs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BACKEND, type WasmHeapBackend } from './kernel-utils.js';

function maxPoolGrad(args: { inputs: MaxPoolGradInputs; backend: KernelBackend; attrs: MaxPoolGradAttrs }): TensorInfo {
  const { inputs, attrs } = args;
  const backend = args.backend as WasmHeapBackend;
  const dy = inputs.dy as TensorInfo;
  const x = inputs.input as TensorInfo;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`wasm ${MaxPoolGrad}: only float32 is supported, got ${x.dtype}.`);
  }
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, padInfo } = info;
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const dx = backend.makeOutput(x.shape, 'float32');
  // Views are taken after the allocation, which may grow the wasm memory.
  const xs = backend.typedArrayFromHeap(x);
  const dys = backend.typedArrayFromHeap(dy);
  const dxs = backend.typedArrayFromHeap(dx);
  dxs.fill(0);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const r0 = yr * sh - padInfo.top;
      let rMin = r0;
      while (rMin < 0) rMin += dh;
      const rMax = Math.min(h, r0 + fh);
      for (let yc = 0; yc < ow; yc++) {
        const c0 = yc * sw - padInfo.left;
        let cMin = c0;
        while (cMin < 0) cMin += dw;
        const cMax = Math.min(w, c0 + fw);
        let first = true;
        for (let r = rMin; r < rMax; r += dh) {
          for (let col = cMin; col < cMax; col += dw) {
            const base = ((b * h + r) * w + col) * c;
            if (first) {
              // The first tap starts every channel's search (cheaper than resetting to -Infinity first).
              for (let d = 0; d < c; d++) {
                const v = xs[base + d]!;
                const valid = v > -Infinity;
                best[d] = valid ? v : -Infinity;
                where[d] = valid ? base + d : -1;
              }
              first = false;
              continue;
            }
            for (let d = 0; d < c; d++) {
              const v = xs[base + d]!;
              if (v > best[d]!) {
                best[d] = v;
                where[d] = base + d;
              }
            }
          }
        }
        if (first) continue;
        const out = ((b * oh + yr) * ow + yc) * c;
        for (let d = 0; d < c; d++) if (where[d]! >= 0) dxs[where[d]!]! += dys[out + d]!;
      }
    }
  }
  return dx;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: BACKEND,
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
