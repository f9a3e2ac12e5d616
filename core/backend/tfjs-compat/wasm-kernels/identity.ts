/**
 * Identity for wasm. The stock kernel copies the data, and the engine clones (through Identity) every tensor
 * a gradient saves for the backward pass, so a training step copied each activation it saved. Tensor data
 * is immutable in tfjs, so like the cpu backend this shares the data and takes a reference on it.
 */
import { Identity, type IdentityInputs, type KernelBackend, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND, runStock, stockSetup } from './kernel-utils.js';

/** A new TensorInfo on x's data, holding its own reference (freed by disposeData like any output). */
export function shareData(backend: KernelBackend, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

function identity(args: { inputs: IdentityInputs; backend: KernelBackend }): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string') return runStock(Identity, args.backend, { x });
  return shareData(args.backend, x);
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: BACKEND,
  setupFunc: stockSetup(Identity),
  kernelFunc: identity as unknown as KernelFunc,
};
