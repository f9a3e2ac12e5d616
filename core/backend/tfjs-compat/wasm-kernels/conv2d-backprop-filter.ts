/**
 * Conv2DBackpropFilter for wasm (the stock backend has none), as one XNNPACK convolution:
 *   dW[kh, kw, ci, co] = sum_{n, oh, ow} x[n, oh*s + kh*d - padTop, ow*s + kw*d - padLeft, ci] * dy[n, oh, ow, co]
 * is a convolution whose batch is ci, whose input channels are the images n and whose "filter" is dy:
 * input xT = x as [Ci, H, W, N], filter dyT = dy as [OH, OW, N, Co], stride d and dilation s (the forward
 * conv's dilation and stride trade places). The result [Ci, KH, KW, Co] is transposed to [KH, KW, Ci, Co].
 */
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BACKEND, conv2dPadded, free, TO_NHWC, transpose } from './kernel-utils.js';

/** Padding of the filter-gradient correlation so that it yields exactly KH x KW outputs. */
export function filterGradPads(info: backend_util.Conv2DInfo): { top: number; bottom: number; left: number; right: number } {
  const { filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const { strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  return {
    top: padInfo.top,
    left: padInfo.left,
    bottom: (kh - 1) * dh + (oh - 1) * sh + 1 - h - padInfo.top,
    right: (kw - 1) * dw + (ow - 1) * sw + 1 - w - padInfo.left,
  };
}

/** dW [KH, KW, Ci, Co] from NHWC x and dy. */
export function backpropFilterNHWC(backend: KernelBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const xT = transpose(backend, x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const strides: [number, number] = [info.dilationHeight, info.dilationWidth];
  const dilations: [number, number] = [info.strideHeight, info.strideWidth];
  const grad = conv2dPadded(backend, xT, dyT, strides, dilations, filterGradPads(info));
  const dW = transpose(backend, grad, [1, 2, 0, 3]);
  free(backend, xT, dyT, grad);
  return dW;
}

function conv2DBackpropFilter(args: { inputs: Conv2DBackpropFilterInputs; backend: KernelBackend; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`wasm ${Conv2DBackpropFilter}: only float32 is supported, got ${x.dtype}.`);
  }
  if (dataFormat !== 'NHWC' && dataFormat !== 'NCHW') {
    throw new Error(`wasm ${Conv2DBackpropFilter}: unsupported dataFormat '${String(dataFormat)}'.`);
  }
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, format);
  if (dataFormat === 'NHWC') return backpropFilterNHWC(backend, x, dy, info);
  const xNHWC = transpose(backend, x, TO_NHWC);
  const dyNHWC = transpose(backend, dy, TO_NHWC);
  const dW = backpropFilterNHWC(backend, xNHWC, dyNHWC, info);
  free(backend, xNHWC, dyNHWC);
  return dW;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: BACKEND,
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
