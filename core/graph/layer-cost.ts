import type * as tfl from '@tensorflow/tfjs-layers';

/** A cost that is a sum of terms in the kept input and output channels: pair * in * out + perIn * in + perOut * out. */
export interface CostTerms {
  pair: number;
  perIn: number;
  perOut: number;
}

export interface LayerCost {
  flops: CostTerms;
  weights: CostTerms;
}

const ZERO: CostTerms = { pair: 0, perIn: 0, perOut: 0 };

/**
 * The cost of one layer per kept channel, from its shapes. Multiply-accumulates of conv and dense layers
 * (see FLOPS_CONVENTION); weights of every layer that has them. `inSpatial` > 1 when a flatten feeds a
 * dense layer: each input channel is then that many rows. `outputShape`: of the call costed (a shared layer's
 * calls may differ).
 */
export function layerCost(layer: tfl.layers.Layer, inSpatial: number, outputShape: tfl.Shape = layer.outputShape as tfl.Shape): LayerCost {
  const config = layer.getConfig();
  const outShape = outputShape as number[];
  const outSpatial = outShape.length === 4 ? outShape[1] * outShape[2] : 1;
  const [kh, kw] = (config.kernelSize as number[] | undefined) ?? [1, 1];
  const bias = config.useBias === false ? 0 : 1;
  switch (layer.getClassName()) {
    case 'Conv2D':
      return { flops: { ...ZERO, pair: outSpatial * kh * kw }, weights: { ...ZERO, pair: kh * kw, perOut: bias } };
    case 'Dense':
      return { flops: { ...ZERO, pair: inSpatial }, weights: { ...ZERO, pair: inSpatial, perOut: bias } };
    case 'SeparableConv2D':
      // depthwise kh x kw per input channel, then a pointwise 1x1 from every input to every output
      return {
        flops: { pair: outSpatial, perIn: outSpatial * kh * kw, perOut: 0 },
        weights: { pair: 1, perIn: kh * kw, perOut: bias },
      };
    case 'GroupedConv2D': {
      // Each output channel reads in / groups inputs: pair terms divided by the group count (kept equal per group).
      const groups = config.groups as number;
      return { flops: { ...ZERO, pair: (outSpatial * kh * kw) / groups }, weights: { ...ZERO, pair: (kh * kw) / groups, perOut: bias } };
    }
    case 'DepthwiseConv2D':
      return { flops: { ...ZERO, perOut: outSpatial * kh * kw }, weights: { ...ZERO, perOut: kh * kw + bias } };
    case 'BatchNormalization': {
      const channels = outShape[outShape.length - 1];
      return { flops: ZERO, weights: { ...ZERO, perOut: layer.countParams() / channels } };
    }
    default:
      return { flops: ZERO, weights: ZERO };
  }
}
