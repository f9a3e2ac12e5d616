/**
 * Sum for wasm: like Mean (see mean.ts), a contiguous non-trailing block of reduced axes, as in the
 * batch-norm gradient's reductions over [N, H, W], becomes one XNNPACK average pooling, scaled back by the
 * number of reduced elements. Other axes and dtypes go to the stock kernel.
 */
import { type KernelBackend, type KernelConfig, type KernelFunc, Sum, type SumAttrs, type SumInputs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { meanOverAxisBlock, reducedShape } from './channel-ops.js';
import { BACKEND, free, reshape, run, runStock, stockSetup, type WasmHeapBackend } from './kernel-utils.js';

function sum(args: { inputs: SumInputs; backend: KernelBackend; attrs: SumAttrs }): TensorInfo {
  const { inputs, attrs } = args;
  const backend = args.backend as WasmHeapBackend;
  const x = inputs.x as TensorInfo;
  const pooled = meanOverAxisBlock(backend, x, attrs.axis);
  if (pooled == null) return runStock(Sum, backend, { x }, { ...attrs });
  const outShape = reducedShape(x.shape, attrs.axis, attrs.keepDims);
  const count = util.sizeFromShape(x.shape) / util.sizeFromShape(outShape);
  const scale = backend.makeOutput([], 'float32', undefined, Float32Array.of(count));
  const scaled = run('Multiply', backend, { a: pooled, b: scale });
  const out = reshape(backend, scaled, outShape);
  free(backend, pooled, scale, scaled);
  return out;
}

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: BACKEND,
  setupFunc: stockSetup(Sum),
  kernelFunc: sum as unknown as KernelFunc,
};
