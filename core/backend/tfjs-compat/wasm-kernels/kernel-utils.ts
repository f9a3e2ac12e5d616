/**
 * Shared helpers for the wasm training kernels. Every kernel here is a composition of kernels the wasm
 * backend already has (mostly its XNNPACK convolution), called directly through the kernel registry on
 * TensorInfos. Intermediates are plain backend data that the kernel frees itself: nothing is wrapped in a
 * Tensor, so there is no engine bookkeeping and no refcount pitfall (wrapping an input with
 * engine().makeTensorFromTensorInfo takes no reference, and disposing the wrapper frees the caller's data).
 */
import {
  getKernel,
  type KernelBackend,
  type KernelConfig,
  type KernelSetupFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

export const BACKEND = 'wasm';

/** The wasm backend's heap access, which the JavaScript kernels here need (not part of KernelBackend). */
export interface WasmHeapBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: TensorInfo['dtype'], memoryOffset?: number, values?: Float32Array): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** The stock wasm kernels that ours replace, kept for the inputs ours do not speed up. */
const stockKernels = new Map<string, KernelConfig>();

export function rememberStock(config: KernelConfig): void {
  if (!stockKernels.has(config.kernelName)) stockKernels.set(config.kernelName, config);
}

/** Runs the stock wasm kernel that ours replaced. */
export function runStock(name: string, backend: KernelBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const config = stockKernels.get(name);
  if (config == null) throw new Error(`wasm training kernels: no stock '${name}' kernel to fall back to.`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  return Array.isArray(out) ? out[0]! : out;
}

/** A setupFunc that runs the replaced stock kernel's setup, so the fallback works after tf.setBackend. */
export function stockSetup(name: string): KernelSetupFunc {
  return (backend) => stockKernels.get(name)?.setupFunc?.(backend);
}

/** Spatial padding of a 2-D convolution; negative values crop the input instead. */
export interface Pads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Runs a kernel of the wasm backend on TensorInfos; the caller owns (and must free) the result. */
export function run(name: string, backend: KernelBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const config = getKernel(name, BACKEND);
  if (config == null) throw new Error(`wasm training kernels: the wasm backend has no '${name}' kernel.`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  return Array.isArray(out) ? out[0]! : out;
}

/** Releases intermediates created by `run` (a reshape shares data; disposing it only drops one reference). */
export function free(backend: KernelBackend, ...infos: Array<TensorInfo | null | undefined>): void {
  for (const info of infos) if (info != null) backend.disposeData(info.dataId);
}

export function reshape(backend: KernelBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return run('Reshape', backend, { x }, { shape });
}

/**
 * Transpose through the lowest-rank equivalent permutation: axes that stay adjacent and in order are
 * merged first, so [N, H, W, C] -> [H, W, N, C] runs as the 3-D [N, HW, C] -> [HW, N, C]. The wasm kernel
 * is a plain element loop (generic and very slow above rank 4), fast only while its reads stay near each
 * other; the full reversal [A, B, C] -> [C, B, A] (x -> [C, H, W, N] in the filter gradient) reads with a
 * stride of B*C, so it runs as three cache-friendly steps instead (about 5x faster).
 */
export function transpose(backend: KernelBackend, x: TensorInfo, perm: number[]): TensorInfo {
  const outShape = perm.map((p) => x.shape[p]!);
  const kept = perm.filter((p) => x.shape[p] !== 1);
  const groups: number[][] = [];
  for (const p of kept) {
    const group = groups[groups.length - 1];
    if (group != null && group[group.length - 1]! + 1 === p) group.push(p);
    else groups.push([p]);
  }
  const order = groups.map((g) => g[0]!).sort((a, b) => a - b);
  const shape = order.map((first) => groups.find((g) => g[0] === first)!.reduce((n, p) => n * x.shape[p]!, 1));
  const merged = groups.map((g) => order.indexOf(g[0]!));
  if (merged.every((p, i) => p === i)) return reshape(backend, x, outShape);
  const view = reshape(backend, x, shape);
  let moved: TensorInfo;
  if (merged.join() === '2,1,0') {
    const bac = run('Transpose', backend, { x: view }, { perm: [1, 0, 2] });
    const bca = run('Transpose', backend, { x: bac }, { perm: [0, 2, 1] });
    moved = run('Transpose', backend, { x: bca }, { perm: [1, 0, 2] });
    free(backend, bac, bca);
  } else {
    moved = run('Transpose', backend, { x: view }, { perm: merged });
  }
  const out = reshape(backend, moved, outShape);
  free(backend, view, moved);
  return out;
}

/**
 * A float32 NHWC convolution (or depthwise convolution) with per-side padding. XNNPACK cannot take negative
 * padding, so negative sides are applied as a crop of the input first.
 */
export function conv2dPadded(
  backend: KernelBackend,
  x: TensorInfo,
  filter: TensorInfo,
  strides: [number, number],
  dilations: [number, number],
  pads: Pads,
  depthwise = false,
): TensorInfo {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const crop = [Math.max(0, -pads.top), Math.max(0, -pads.bottom), Math.max(0, -pads.left), Math.max(0, -pads.right)];
  const [ct, cb, cl, cr] = crop as [number, number, number, number];
  const input = ct + cb + cl + cr > 0 ? run('Slice', backend, { x }, { begin: [0, ct, cl, 0], size: [n, h - ct - cb, w - cl - cr, c] }) : x;
  const pad = [
    [0, 0],
    [Math.max(0, pads.top), Math.max(0, pads.bottom)],
    [Math.max(0, pads.left), Math.max(0, pads.right)],
    [0, 0],
  ];
  const attrs = { strides, dilations, pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as NamedAttrMap;
  const out = run(depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', backend, { x: input, filter }, attrs);
  if (input !== x) free(backend, input);
  return out;
}

/**
 * Inserts zeros between the pixels of an NHWC tensor: [N, H, W, C] becomes [N, H*sh, W*sw, C] with the
 * data at multiples of the strides and (sh - 1) trailing zero rows (sw - 1 columns) at the end.
 */
export function zeroInsert(backend: KernelBackend, x: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return reshape(backend, x, x.shape.slice());
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const x6 = reshape(backend, x, [n, h, 1, w, 1, c]);
  const paddings = [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ];
  const padded = run('PadV2', backend, { x: x6 }, { paddings, constantValue: 0 });
  const out = reshape(backend, padded, [n, h * sh, w * sw, c]);
  free(backend, x6, padded);
  return out;
}

/** NCHW <-> NHWC helpers for the kernels that accept dataFormat 'NCHW'. */
export const TO_NHWC = [0, 2, 3, 1];
export const TO_NCHW = [0, 3, 1, 2];
