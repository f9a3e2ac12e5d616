/**
 * Per-channel and reduction helpers shared by the elementwise kernels (Multiply, Add, Sub, FusedBatchNorm)
 * and the reductions (Sum, Mean): both map onto XNNPACK operators that stream the tensor once, a 1x1
 * depthwise convolution and an average pooling.
 */
import { type KernelBackend, type NamedTensorInfoMap, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { free, reshape, run, type WasmHeapBackend } from './kernel-utils.js';

/**
 * A copy of the values of a float32 tensor holding one value per channel ([C] or [1, ..., 1, C]), else null.
 * A copy, not a view of the heap: the next allocation may grow the wasm memory and detach every view.
 */
export function channelValues(backend: WasmHeapBackend, t: TensorInfo, channels: number): Float32Array | null {
  if (t.dtype !== 'float32' || t.shape.length === 0 || t.shape[t.shape.length - 1] !== channels) return null;
  if (util.sizeFromShape(t.shape) !== channels) return null;
  return (backend.typedArrayFromHeap(t) as Float32Array).slice();
}

/**
 * y = x * scale[c] + shift[c] over the last axis of x, as one 1x1 XNNPACK depthwise convolution with bias.
 * XNNPACK's binary operators handle a per-channel operand as one call per pixel, 1.5 to 3.5 times slower.
 */
export function channelAffine(
  backend: WasmHeapBackend,
  x: TensorInfo,
  scale: Float32Array,
  shift: Float32Array | null,
  outShape: number[] = x.shape,
): TensorInfo {
  const c = scale.length;
  const filter = backend.makeOutput([1, 1, c, 1], 'float32', undefined, scale);
  const bias = shift == null ? null : backend.makeOutput([c], 'float32', undefined, shift);
  const view = reshape(backend, x, [1, 1, util.sizeFromShape(x.shape) / c, c]);
  const inputs: NamedTensorInfoMap = bias == null ? { x: view, filter } : { x: view, filter, bias };
  const y = run('FusedDepthwiseConv2D', backend, inputs, {
    strides: 1,
    pad: 'valid',
    dilations: 1,
    dataFormat: 'NHWC',
    activation: 'linear',
  });
  const out = reshape(backend, y, outShape.slice());
  free(backend, filter, bias, view, y);
  return out;
}

/**
 * For a binary op: which operand is a full float32 tensor and which holds one value per channel of it
 * (broadcast along every other axis), or null when the inputs are not like that (the stock kernel is used).
 */
export function fullAndChannel(
  backend: WasmHeapBackend,
  a: TensorInfo,
  b: TensorInfo,
): { full: TensorInfo; values: Float32Array; channelFirst: boolean; outShape: number[] } | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const sizeA = util.sizeFromShape(a.shape);
  const sizeB = util.sizeFromShape(b.shape);
  if (sizeA === sizeB || Math.min(sizeA, sizeB) < 2) return null;
  const [full, other] = sizeA > sizeB ? [a, b] : [b, a];
  const channels = full.shape[full.shape.length - 1];
  // Worth it only from a few thousand pixels; small tensors stay on the stock kernel.
  if (channels == null || util.sizeFromShape(full.shape) < 4096) return null;
  const values = channelValues(backend, other, channels);
  if (values == null) return null;
  const rank = Math.max(a.shape.length, b.shape.length);
  const outShape = full.shape.length === rank ? full.shape : [...new Array<number>(rank - full.shape.length).fill(1), ...full.shape];
  return { full, values, channelFirst: other === a, outShape };
}

/**
 * Mean over one contiguous block of axes that is not the trailing block, as an XNNPACK average pooling:
 * x viewed as [A, P, 1, C] (P the reduced size) pooled by a [P, 1] window gives [A, 1, 1, C]. This reads
 * x once, where the stock Sum and Mean transpose the reduced axes to the end first. Returns null (the
 * caller then uses the stock kernel) for other axes, other dtypes and empty tensors.
 */
export function meanOverAxisBlock(backend: KernelBackend, x: TensorInfo, axis: number | number[]): TensorInfo | null {
  if (x.dtype !== 'float32' || util.sizeFromShape(x.shape) === 0) return null;
  const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  if (axes.length === 0) return null;
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  if (last - first + 1 !== axes.length || last === x.shape.length - 1) return null;
  const outer = util.sizeFromShape(x.shape.slice(0, first));
  const reduced = util.sizeFromShape(x.shape.slice(first, last + 1));
  const inner = util.sizeFromShape(x.shape.slice(last + 1));
  if (reduced === 1) return null;
  const view = reshape(backend, x, [outer, reduced, 1, inner]);
  const pooled = run('AvgPool', backend, { x: view }, { filterSize: [reduced, 1], strides: [reduced, 1], pad: 'valid' });
  free(backend, view);
  return pooled;
}

/** The output shape of a reduction over `axis`, with or without the reduced axes kept as size 1. */
export function reducedShape(shape: number[], axis: number | number[], keepDims: boolean): number[] {
  const axes = util.parseAxisParam(axis, shape);
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}
