import type * as tfl from '@tensorflow/tfjs-layers';

/** The convention every report states next to a FLOPs figure. */
export const FLOPS_CONVENTION =
  'FLOPs = multiply-accumulates of Conv2D, DepthwiseConv2D and Dense layers (as counted by HRank / thop); ' +
  'batch norm, activations, pooling, additions and biases are not counted';

/** Multiply-accumulates of one inference of one image. */
export function countFlops(model: tfl.LayersModel): number {
  let total = 0;
  for (const layer of model.layers) total += layerFlops(layer);
  return total;
}

export function layerFlops(layer: tfl.layers.Layer): number {
  const className = layer.getClassName();
  if (className === 'Conv2D' || className === 'DepthwiseConv2D') {
    const inShape = inputShape(layer);
    const outShape = layer.outputShape as number[];
    const [kh, kw] = layer.getConfig().kernelSize as number[];
    const inChannels = inShape[3] as number;
    const outSpatial = outShape[1] * outShape[2];
    if (className === 'DepthwiseConv2D') return outSpatial * kh * kw * outShape[3];
    return outSpatial * kh * kw * inChannels * outShape[3];
  }
  if (className === 'Dense') {
    const outShape = layer.outputShape as number[];
    const inShape = inputShape(layer);
    return (inShape[inShape.length - 1] as number) * outShape[outShape.length - 1];
  }
  return 0;
}

function inputShape(layer: tfl.layers.Layer): tfl.Shape {
  return Array.isArray(layer.input) ? layer.input[0].shape : layer.input.shape;
}

/** All weights, trainable or not (batch-norm statistics included), as tfjs and Keras count them. */
export function countParameters(model: tfl.LayersModel): number {
  return model.countParams();
}
