/**
 * Add for wasm when one operand holds one value per channel of the other, as in the batch-norm forward
 * and gradient ops: x + m[c] is the 1x1 depthwise convolution of x with filter 1 and bias m.
 * The stock XNNPACK binary kernel handles that broadcast one pixel at a time and
 * was 1.5 to 3.5 times slower (see channelAffine in kernel-utils.ts). Other inputs go to the stock kernel.
 */
import { type BinaryInputs, type KernelBackend, type KernelConfig, type KernelFunc, Add, type TensorInfo } from '@tensorflow/tfjs-core';
import { channelAffine, fullAndChannel } from './channel-ops.js';
import { BACKEND, runStock, stockSetup, type WasmHeapBackend } from './kernel-utils.js';

function add(args: { inputs: BinaryInputs; backend: KernelBackend }): TensorInfo {
  const backend = args.backend as WasmHeapBackend;
  const a = args.inputs.a as TensorInfo;
  const b = args.inputs.b as TensorInfo;
  const split = fullAndChannel(backend, a, b);
  if (split == null) return runStock(Add, backend, { a, b });
  return channelAffine(backend, split.full, new Float32Array(split.values.length).fill(1), split.values, split.outShape);
}

export const addConfig: KernelConfig = {
  kernelName: Add,
  backendName: BACKEND,
  setupFunc: stockSetup(Add),
  kernelFunc: add as unknown as KernelFunc,
};
