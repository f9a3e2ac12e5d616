/**
 * Cast for wasm. Batch-norm moments cast float32 activations to float32, which the stock kernel does by
 * copying them; a cast to the same dtype here shares the data instead (see identity.ts). A cast that
 * changes the dtype goes to the stock kernel.
 */
import { Cast, type CastAttrs, type CastInputs, type KernelBackend, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { shareData } from './identity.js';
import { BACKEND, runStock, stockSetup } from './kernel-utils.js';

function cast(args: { inputs: CastInputs; backend: KernelBackend; attrs: CastAttrs }): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  if (x.dtype !== args.attrs.dtype || x.dtype === 'string') return runStock(Cast, args.backend, { x }, { ...args.attrs });
  return shareData(args.backend, x);
}

export const castConfig: KernelConfig = {
  kernelName: Cast,
  backendName: BACKEND,
  setupFunc: stockSetup(Cast),
  kernelFunc: cast as unknown as KernelFunc,
};
