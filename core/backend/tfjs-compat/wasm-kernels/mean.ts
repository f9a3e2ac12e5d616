/**
 * Mean for wasm. The stock kernel transposes the reduced axes to the end before reducing; batch norm in
 * training mode reduces [N, H, W, C] over its first three axes, which made that transpose cost more than the
 * reduction. A contiguous block of reduced axes that is not the trailing block (batch norm, global average
 * pooling) becomes one XNNPACK average pooling over x; every other case goes to the stock kernel.
 */
import { type KernelBackend, type KernelConfig, type KernelFunc, Mean, type MeanAttrs, type MeanInputs, type TensorInfo } from '@tensorflow/tfjs-core';
import { meanOverAxisBlock, reducedShape } from './channel-ops.js';
import { BACKEND, free, reshape, runStock, stockSetup } from './kernel-utils.js';

function mean(args: { inputs: MeanInputs; backend: KernelBackend; attrs: MeanAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const pooled = meanOverAxisBlock(backend, x, attrs.axis);
  if (pooled == null) return runStock(Mean, backend, { x }, { ...attrs });
  const out = reshape(backend, pooled, reducedShape(x.shape, attrs.axis, attrs.keepDims));
  free(backend, pooled);
  return out;
}

export const meanConfig: KernelConfig = {
  kernelName: Mean,
  backendName: BACKEND,
  setupFunc: stockSetup(Mean),
  kernelFunc: mean as unknown as KernelFunc,
};
