/**
 * The gradients of ClipByValue and Relu6 on wasm, in one pass: dy where x lies in the clip range, 0 elsewhere.
 * tfjs builds them from GreaterEqual, LessEqual, LogicalAnd and Select (ClipByValue) or LessEqual, Step, Cast
 * and two Multiplies (Relu6): scalar wasm loops that each write a whole tensor. A MobileNetV2 training step
 * (ReLU6 after every expansion and depthwise convolution) spent 18% of its kernel time there
 * (`node dist/test/bench/profile-training-step.js mobilenetv2 32`). The results equal the stock gradients' for
 * finite dy: a NaN x passes nothing through a clip, and NaN through Relu6's step.
 */
import {
  cast,
  ClipByValue,
  type ClipByValueAttrs,
  engine,
  getBackend,
  getGradient,
  type GradConfig,
  greaterEqual,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  lessEqual,
  logicalAnd,
  mul,
  type NamedAttrMap,
  registerGradient,
  Relu6,
  step,
  type Tensor,
  type TensorInfo,
  util,
  where,
  zerosLike,
} from '@tensorflow/tfjs-core';
import { BACKEND, type WasmHeapBackend } from './kernel-utils.js';

/** Our kernel's name: no tfjs kernel computes this. */
export const RANGE_GRAD = 'PruneflowRangeGrad';

interface RangeGradAttrs {
  min: number;
  max: number;
  /** Whether x = min passes (ClipByValue) or not (Relu6's step). */
  minInclusive: boolean;
  /** What a NaN x gives: 0 (ClipByValue's Select) or NaN (Relu6's mask times dy). */
  nanGives: 'zero' | 'nan';
}

function rangeGrad(args: { inputs: { dy: TensorInfo; x: TensorInfo }; backend: KernelBackend; attrs: RangeGradAttrs }): TensorInfo {
  const { inputs, attrs } = args;
  const backend = args.backend as WasmHeapBackend;
  const { dy, x } = inputs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`wasm ${RANGE_GRAD}: only float32 is supported, got ${x.dtype}, ${dy.dtype}.`);
  if (!util.arraysEqual(x.shape, dy.shape)) throw new Error(`wasm ${RANGE_GRAD}: x ${x.shape} and dy ${dy.shape} differ in shape.`);
  const out = backend.makeOutput(x.shape.slice(), 'float32');
  // Views after makeOutput: allocating may grow the heap, which detaches earlier views.
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const ds = backend.typedArrayFromHeap(dy) as Float32Array;
  const os = backend.typedArrayFromHeap(out) as Float32Array;
  const { min, max, minInclusive } = attrs;
  const nan = attrs.nanGives === 'nan' ? Number.NaN : 0;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    os[i] = (minInclusive ? v >= min : v > min) && v <= max ? ds[i]! : v === v ? 0 : nan;
  }
  return out;
}

export const rangeGradConfig: KernelConfig = {
  kernelName: RANGE_GRAD,
  backendName: BACKEND,
  kernelFunc: rangeGrad as unknown as KernelFunc,
};

/** dy masked to [min, max] on wasm; elsewhere the stock formula, op for op. */
function maskedGradient(dy: Tensor, x: Tensor, attrs: RangeGradAttrs, stock: () => Tensor): Tensor {
  if (getBackend() !== BACKEND || dy.dtype !== 'float32' || x.dtype !== 'float32') return stock();
  return engine().runKernel(RANGE_GRAD, { dy, x }, attrs as unknown as NamedAttrMap) as Tensor;
}

const clipByValueGrad: GradConfig = {
  kernelName: ClipByValue,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [Tensor];
    const { clipValueMin: min, clipValueMax: max } = attrs as unknown as ClipByValueAttrs;
    const d = dy as Tensor;
    return {
      x: () =>
        maskedGradient(d, x, { min, max, minInclusive: true, nanGives: 'zero' }, () =>
          where(logicalAnd(greaterEqual(x, min), lessEqual(x, max)), d, zerosLike(d)),
        ),
    };
  },
};

const relu6Grad: GradConfig = {
  kernelName: Relu6,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [Tensor];
    const d = dy as Tensor;
    return {
      x: () => maskedGradient(d, x, { min: 0, max: 6, minInclusive: false, nanGives: 'nan' }, () => mul(d, cast(mul(lessEqual(x, 6), step(x)), 'float32'))),
    };
  },
};

/** Puts these gradients in tfjs's registry (over the stock ones, which tfjs-layers registers on import). */
export function registerRangeGradients(): void {
  for (const config of [clipByValueGrad, relu6Grad]) if (getGradient(config.kernelName) !== config) registerGradient(config);
}
