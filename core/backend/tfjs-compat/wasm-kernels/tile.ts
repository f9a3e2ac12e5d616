/**
 * Tile for wasm. The stock kernel is a per-element loop; the batch-norm gradient uses Tile to broadcast a
 * [1, 1, 1, C] vector over a whole activation, where it cost as much as a convolution. This version works on
 * the backend's heap with block copies: it first merges axes (an axis with rep 1 joins the axis before it,
 * a size-1 axis passes its rep to the axis after it), copies each innermost row of x once, then replicates
 * every filled block by doubling with copyWithin (memmove), from the innermost axis outward.
 */
import { type KernelBackend, type KernelConfig, type KernelFunc, type TensorInfo, Tile, type TileAttrs, type TileInputs, util } from '@tensorflow/tfjs-core';
import { BACKEND, type WasmHeapBackend } from './kernel-utils.js';

type Heap = ReturnType<WasmHeapBackend['typedArrayFromHeap']>;

/** Merged (size, rep) axes equivalent to tiling `shape` by `reps` in row-major order. */
export function mergeTileAxes(shape: readonly number[], reps: readonly number[]): Array<[number, number]> {
  const axes: Array<[number, number]> = [];
  for (let i = shape.length - 1; i >= 0; i--) {
    const size = shape[i]!;
    const rep = reps[i]!;
    const inner = axes[0];
    if (inner != null && inner[1] === 1) {
      inner[0] *= size;
      inner[1] = rep;
    } else if (inner != null && size === 1) {
      inner[1] *= rep;
    } else {
      axes.unshift([size, rep]);
    }
  }
  return axes.length > 0 ? axes : [[1, 1]];
}

/** Repeats out[off, off + len) `reps` times in place, doubling the copied span each step. */
function replicate(out: Heap, off: number, len: number, reps: number): void {
  const total = len * reps;
  for (let filled = len; filled < total;) {
    const n = Math.min(filled, total - filled);
    out.copyWithin(off + filled, off, off + n);
    filled += n;
  }
}

function tile(args: { inputs: TileInputs; backend: KernelBackend; attrs: TileAttrs }): TensorInfo {
  const { inputs, attrs } = args;
  const backend = args.backend as WasmHeapBackend;
  const x = inputs.x as TensorInfo;
  const { reps } = attrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') {
    throw new Error(`wasm ${Tile}: unsupported dtype '${x.dtype}'.`);
  }
  if (reps.length !== x.shape.length) {
    throw new Error(`wasm ${Tile}: reps (${reps.length}) must match the rank of x (${x.shape.length}).`);
  }
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  if (util.sizeFromShape(outShape) === 0) return out;
  // Views are taken after the allocation: makeOutput may grow (and so detach) the wasm memory.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const axes = mergeTileAxes(x.shape, reps);
  const last = axes.length - 1;
  const outBlock = new Array<number>(axes.length + 1).fill(1);
  const inBlock = new Array<number>(axes.length + 1).fill(1);
  for (let j = last; j >= 0; j--) {
    outBlock[j] = outBlock[j + 1]! * axes[j]![0] * axes[j]![1];
    inBlock[j] = inBlock[j + 1]! * axes[j]![0];
  }
  const fill = (j: number, inOff: number, outOff: number): void => {
    const [size, rep] = axes[j]!;
    if (j === last) dst.set(src.subarray(inOff, inOff + size), outOff);
    else for (let i = 0; i < size; i++) fill(j + 1, inOff + i * inBlock[j + 1]!, outOff + i * outBlock[j + 1]!);
    replicate(dst, outOff, size * outBlock[j + 1]!, rep);
  };
  fill(0, 0, 0);
  return out;
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: BACKEND,
  kernelFunc: tile as unknown as KernelFunc,
};
