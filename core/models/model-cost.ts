import type * as tfl from '@tensorflow/tfjs-layers';

/** The convention every report states next to a FLOPs figure. */
export const FLOPS_CONVENTION =
  'FLOPs = multiply-accumulates of Conv2D (grouped ones too), DepthwiseConv2D, SeparableConv2D and Dense layers (as counted by HRank / thop); ' +
  'batch norm, activations, pooling, additions and biases are not counted';

/** Multiply-accumulates of one inference of one image. */
export function countFlops(model: tfl.LayersModel): number {
  let total = 0;
  for (const layer of model.layers) total += layerFlops(layer);
  return total;
}

/** Multiply-accumulates of one layer, over all its calls (a shared layer computes once per call). */
export function layerFlops(layer: tfl.layers.Layer): number {
  if (layer.inboundNodes.length === 0) return 0;
  return layer.inboundNodes.reduce((n, node) => n + callFlops(layer, node.inputTensors[0]?.shape ?? [], node.outputTensors[0].shape as number[]), 0);
}

function callFlops(layer: tfl.layers.Layer, inShape: tfl.Shape, outShape: number[]): number {
  const className = layer.getClassName();
  const inChannels = inShape[inShape.length - 1] as number;
  const outChannels = outShape[outShape.length - 1];
  if (className === 'Dense') return inChannels * outChannels;
  if (className === 'GroupedConv2D') {
    const { kernelSize, groups } = layer.getConfig() as { kernelSize: number[]; groups: number };
    return outShape[1] * outShape[2] * kernelSize[0] * kernelSize[1] * (inChannels / groups) * outChannels;
  }
  if (!['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D'].includes(className)) return 0;
  const [kh, kw] = layer.getConfig().kernelSize as number[];
  const outSpatial = outShape[1] * outShape[2];
  if (className === 'DepthwiseConv2D') return outSpatial * kh * kw * outChannels;
  if (className === 'SeparableConv2D') {
    const multiplier = (layer.getConfig().depthMultiplier as number | undefined) ?? 1;
    return outSpatial * inChannels * multiplier * (kh * kw + outChannels);
  }
  return outSpatial * kh * kw * inChannels * outChannels;
}

/** All weights, trainable or not (batch-norm statistics included), as tfjs and Keras count them. */
export function countParameters(model: tfl.LayersModel): number {
  return model.countParams();
}

/** Trainable weights only, as PyTorch and the papers count parameters (batch-norm statistics excluded). */
export function countTrainableParameters(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}
