/**
 * DepthwiseConv2dNativeBackpropInput for wasm (the stock backend has none): the same flipped-filter
 * correlation of the zero-inserted dy as Conv2DBackpropInput (see conv2d-backprop-input.ts), done as an
 * XNNPACK depthwise convolution over the C*M dy channels followed, for a channel multiplier M > 1, by a sum
 * of each input channel's M partial gradients.
 */
import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropInputInputs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { backpropInputNHWC } from './conv2d-backprop-input.js';
import { BACKEND } from './kernel-utils.js';

function depthwiseConv2dNativeBackpropInput(args: {
  inputs: DepthwiseConv2dNativeBackpropInputInputs;
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error(`wasm ${DepthwiseConv2dNativeBackpropInput}: only float32 is supported, got ${dy.dtype}.`);
  }
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    true,
  );
  return backpropInputNHWC(backend, dy, filter, info, true);
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: BACKEND,
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
