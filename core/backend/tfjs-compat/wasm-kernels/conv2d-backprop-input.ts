/**
 * Conv2DBackpropInput for wasm: the input gradient as one XNNPACK convolution instead of the stock kernel's
 * scalar loop. With the forward conv y[o] = sum_k x[o*s + k*d - padBefore] w[k], the gradient is
 *   dx[i] = sum_k dyz[i + padBefore - k*d] w[k]
 * where dyz is dy with (s - 1) zeros inserted between pixels. Flipping the filter by 180 degrees turns this
 * into a stride-1 correlation of dyz with dilation d: one conv2d of dyz with the flipped filter whose in and
 * out channels are swapped, padded by (K - 1)*d - padBefore on the leading side.
 */
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { stridedBackpropInput } from './conv2d-backprop-input-strided.js';
import { BACKEND, conv2dPadded, free, reshape, run, TO_NCHW, TO_NHWC, transpose, zeroInsert } from './kernel-utils.js';

/**
 * dx (NHWC) of a conv2d or depthwise conv2d from dy (NHWC). `filter` is the forward filter,
 * [KH, KW, Cin, Cout] for conv2d and [KH, KW, C, M] for depthwise.
 */
export function backpropInputNHWC(backend: KernelBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo, depthwise: boolean): TensorInfo {
  if (!depthwise) {
    const phased = stridedBackpropInput(backend, dy, filter, info);
    if (phased != null) return phased;
  }
  const { filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  const { strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w, padInfo } = info;
  const padTop = (kh - 1) * dh - padInfo.top;
  const padLeft = (kw - 1) * dw - padInfo.left;
  // dyz has outHeight*sh rows; the rows the correlation reads past them are zeros.
  const pads = {
    top: padTop,
    left: padLeft,
    bottom: h + (kh - 1) * dh - padTop - info.outHeight * sh,
    right: w + (kw - 1) * dw - padLeft - info.outWidth * sw,
  };
  const dyz = zeroInsert(backend, dy, sh, sw);
  const flipped = run('Reverse', backend, { x: filter }, { dims: [0, 1] });
  let dx: TensorInfo;
  if (!depthwise) {
    const swapped = transpose(backend, flipped, [0, 1, 3, 2]);
    dx = conv2dPadded(backend, dyz, swapped, [1, 1], [dh, dw], pads);
    free(backend, swapped);
  } else {
    // Each of the C*M dy channels feeds back into its input channel c: a multiplier-1 depthwise conv over
    // the C*M channels, then the M partial gradients of each input channel are summed.
    const [, , c, m] = filter.shape as [number, number, number, number];
    const perChannel = reshape(backend, flipped, [kh, kw, c * m, 1]);
    const partial = conv2dPadded(backend, dyz, perChannel, [1, 1], [dh, dw], pads, true);
    if (m === 1) {
      dx = partial;
    } else {
      const split = reshape(backend, partial, [info.batchSize, h, w, c, m]);
      dx = run('Sum', backend, { x: split }, { axis: [4], keepDims: false });
      free(backend, split, partial);
    }
    free(backend, perChannel);
  }
  free(backend, dyz, flipped);
  return dx;
}

function conv2DBackpropInput(args: { inputs: Conv2DBackpropInputInputs; backend: KernelBackend; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error(`wasm ${Conv2DBackpropInput}: only float32 is supported, got ${dy.dtype}.`);
  }
  if (dataFormat !== 'NHWC' && dataFormat !== 'NCHW') {
    throw new Error(`wasm ${Conv2DBackpropInput}: unsupported dataFormat '${String(dataFormat)}'.`);
  }
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, format);
  if (dataFormat === 'NHWC') return backpropInputNHWC(backend, dy, filter, info, false);
  const dyNHWC = transpose(backend, dy, TO_NHWC);
  const dxNHWC = backpropInputNHWC(backend, dyNHWC, filter, info, false);
  const dx = transpose(backend, dxNHWC, TO_NCHW);
  free(backend, dyNHWC, dxNHWC);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: BACKEND,
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
