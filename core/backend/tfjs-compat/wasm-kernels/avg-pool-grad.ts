/**
 * AvgPoolGrad for wasm. The stock kernel is a scalar loop (about 15 ms per [64, 32, 32, 32] input). The
 * gradient of an average pooling is the input gradient of a depthwise convolution whose filter is the
 * constant 1 / (filterHeight * filterWidth), so this reuses that XNNPACK path (see
 * conv2d-backprop-input.ts). Like the cpu backend, every window divides by its full size, padded or not.
 */
import {
  AvgPoolGrad,
  type AvgPoolGradAttrs,
  type AvgPoolGradInputs,
  backend_util,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { backpropInputNHWC } from './conv2d-backprop-input.js';
import { BACKEND, free, run } from './kernel-utils.js';

function avgPoolGrad(args: { inputs: AvgPoolGradInputs; backend: KernelBackend; attrs: AvgPoolGradAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const x = inputs.input as TensorInfo;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`wasm ${AvgPoolGrad}: only float32 is supported, got ${x.dtype}.`);
  }
  const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad);
  const { filterHeight: fh, filterWidth: fw, inChannels: c } = info;
  const filter = run('Fill', backend, {}, { shape: [fh, fw, c, 1], value: 1 / (fh * fw), dtype: 'float32' });
  const dx = backpropInputNHWC(backend, dy, filter, info, true);
  free(backend, filter);
  return dx;
}

export const avgPoolGradConfig: KernelConfig = {
  kernelName: AvgPoolGrad,
  backendName: BACKEND,
  kernelFunc: avgPoolGrad as unknown as KernelFunc,
};
