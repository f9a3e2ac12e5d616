/**
 * DepthwiseConv2dNativeBackpropFilter for wasm (the stock backend has none), as one XNNPACK depthwise
 * convolution. Per channel c and multiplier m,
 *   dW[kh, kw, c, m] = sum_{n, oh, ow} x[n, oh*s + kh*d - padTop, ow*s + kw*d - padLeft, c] * dy[n, oh, ow, c*M + m].
 * Treating every (image, channel) pair as its own depthwise channel: input x as [1, H, W, N*C], filter dy as
 * [OH, OW, N*C, M], stride d and dilation s, gives [1, KH, KW, N*C*M]; summing over the images n leaves
 * [KH, KW, C, M].
 */
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropFilterInputs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { filterGradPads } from './conv2d-backprop-filter.js';
import { BACKEND, conv2dPadded, free, reshape, run, transpose } from './kernel-utils.js';

function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: DepthwiseConv2dNativeBackpropFilterInputs;
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`wasm ${DepthwiseConv2dNativeBackpropFilter}: only float32 is supported, got ${x.dtype}.`);
  }
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [kh, kw, , m] = filterShape;
  const { outHeight: oh, outWidth: ow } = info;

  const xT = transpose(backend, x, [1, 2, 0, 3]);
  const xImg = reshape(backend, xT, [1, h, w, n * c]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const dyFilter = reshape(backend, dyT, [oh, ow, n * c, m]);
  const stride: [number, number] = [info.dilationHeight, info.dilationWidth];
  const dilation: [number, number] = [info.strideHeight, info.strideWidth];
  const perImage = conv2dPadded(backend, xImg, dyFilter, stride, dilation, filterGradPads(info), true);
  const split = reshape(backend, perImage, [kh * kw, n, c * m]);
  const summed = run('Sum', backend, { x: split }, { axis: [1], keepDims: false });
  const dW = reshape(backend, summed, [kh, kw, c, m]);
  free(backend, xT, xImg, dyT, dyFilter, perImage, split, summed);
  return dW;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: BACKEND,
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
