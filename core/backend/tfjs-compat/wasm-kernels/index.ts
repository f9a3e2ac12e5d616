/**
 * Training kernels for the TensorFlow.js wasm backend. Stock tfjs-backend-wasm 4.22 cannot train a conv net
 * (no Conv2DBackpropFilter, no depthwise gradients), and a conv/batch-norm/pool training step spent most of
 * its time in kernels that are scalar loops or that transpose or copy whole activations (Conv2DBackpropInput,
 * Tile, Sum, Mean, MaxPoolGrad, AvgPoolGrad, FusedBatchNorm, per-channel Multiply/Add/Sub, transposed
 * BatchMatMul, Identity, Cast).
 * The kernels here are built from kernels wasm has, mostly XNNPACK convolution and pooling; MaxPoolGrad and
 * Tile are JavaScript loops over the wasm heap, as is the one-pass gradient of ClipByValue and Relu6 (range-grad.ts,
 * registered as their gradients on every backend, taking the stock formula off wasm). Each file documents its design and measured gain.
 */
// The wasm backend registers its own kernels when first imported; importing it here guarantees that happens
// before ours, so a later import cannot put the slow stock kernels back.
import '@tensorflow/tfjs-backend-wasm';
import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { addConfig } from './add.js';
import { avgPoolGradConfig } from './avg-pool-grad.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { castConfig } from './cast.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-backprop-input.js';
import { fusedBatchNormConfig } from './fused-batch-norm.js';
import { identityConfig } from './identity.js';
import { rememberStock } from './kernel-utils.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { meanConfig } from './mean.js';
import { multiplyConfig } from './multiply.js';
import { rangeGradConfig, registerRangeGradients } from './range-grad.js';
import { subConfig } from './sub.js';
import { sumConfig } from './sum.js';
import { tileConfig } from './tile.js';

export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  tileConfig,
  sumConfig,
  meanConfig,
  maxPoolGradConfig,
  avgPoolGradConfig,
  identityConfig,
  castConfig,
  fusedBatchNormConfig,
  multiplyConfig,
  addConfig,
  subConfig,
  batchMatMulConfig,
  rangeGradConfig,
];

/**
 * Registers the training kernels for backend 'wasm', over the stock ones (which are kept for the inputs a
 * kernel here hands back to them). Idempotent, and callable before or after `tf.setBackend('wasm')`: a kernel
 * that can fall back to the stock one runs the stock setupFunc when the backend starts.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    const current = getKernel(config.kernelName, config.backendName);
    if (current === config) continue;
    if (current != null) {
      if (!WASM_TRAINING_KERNELS.includes(current)) rememberStock(current);
      unregisterKernel(config.kernelName, config.backendName);
    }
    registerKernel(config);
  }
  registerRangeGradients();
}
