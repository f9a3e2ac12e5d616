import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * How a layer type moves channels, by tfjs class name. A new layer type plugs in with one line here
 * (and, if pruning changes its weights or config, one rule in prune/layer-surgery.ts).
 */
export type LayerKind =
  /** Reads its input channels and makes new output channels (conv, dense, separable conv). */
  | 'producer'
  /**
   * One weight set per channel, channels unchanged (batch norm, depthwise conv). A depthwise conv with a channel
   * multiplier m makes m outputs per channel: they belong to their input channel (the graph's `repeat`).
   */
  | 'channelwise'
  /** Changes nothing about channels (activations, pooling, dropout, padding). */
  | 'passthrough'
  /** Keeps channels but spreads each over its spatial positions (channels-last flatten). */
  | 'flatten'
  /** Element-wise merge: its inputs' channels are coupled position by position. */
  | 'merge'
  /** Concatenation along channels: the output is its inputs' channel ranges, one after another. */
  | 'concat'
  /** Output channel i reads a chosen input channel or zero (the option-A shortcut): no coupling. */
  | 'indexmap'
  /** A grouped convolution: output group g reads input group g only; both sides prune the same count per group. */
  | 'grouped';

const KINDS: Record<string, LayerKind> = {
  Conv2D: 'producer',
  Dense: 'producer',
  SeparableConv2D: 'producer',
  BatchNormalization: 'channelwise',
  DepthwiseConv2D: 'channelwise',
  Activation: 'passthrough',
  ReLU: 'passthrough',
  LeakyReLU: 'passthrough',
  ELU: 'passthrough',
  Dropout: 'passthrough',
  SpatialDropout2D: 'passthrough',
  MaxPooling2D: 'passthrough',
  AveragePooling2D: 'passthrough',
  GlobalAveragePooling2D: 'passthrough',
  GlobalMaxPooling2D: 'passthrough',
  ZeroPadding2D: 'passthrough',
  // Layers for ONNX operators (core/models/io/onnx/onnx-layers.ts)
  PointwiseActivation: 'passthrough',
  OnnxPool2D: 'passthrough',
  GlobalPool2D: 'passthrough',
  Flatten: 'flatten',
  Add: 'merge',
  Multiply: 'merge',
  Maximum: 'merge',
  Minimum: 'merge',
  Average: 'merge',
  Concatenate: 'concat',
  ZeroPadShortcut: 'indexmap',
};

/** The kind of `layer` (as called on `input`, its first call's when absent), or why the graph cannot see through it. */
export function layerKind(layer: tfl.layers.Layer, input: tfl.SymbolicTensor = layer.inboundNodes[0].inputTensors[0]): LayerKind | { unsupported: string } {
  const className = layer.getClassName();
  const config = layer.getConfig();
  if (className === 'SeparableConv2D' && (config.depthMultiplier ?? 1) !== 1) {
    return { unsupported: 'a separable convolution with a channel multiplier above 1' };
  }
  if (className === 'Concatenate' && ![-1, 3].includes(config.axis as number)) {
    return { unsupported: `a concatenation along axis ${String(config.axis)}, not channels` };
  }
  if (className === 'Softmax' || (className === 'Activation' && config.activation === 'softmax')) {
    const axis = (Array.isArray(config.axis) ? config.axis[0] : (config.axis ?? -1)) as number;
    const rank = input.shape.length;
    if (axis === -1 || axis === rank - 1) return { unsupported: 'a softmax over the channels: each output depends on every channel' };
    return 'passthrough';
  }
  if (className === 'GroupedConv2D') return 'grouped';
  if (className === 'OnnxOp') return { unsupported: `the ONNX operator ${String(config.op)} is kept as it is, with no channel rule` };
  if (className === 'Reshape') return isChannelKeepingReshape(layer, input) ? 'passthrough' : { unsupported: 'a reshape that changes the channel count' };
  return KINDS[className] ?? { unsupported: `no channel rule for ${className}` };
}

/** A reshape that keeps the last axis and only adds or drops size-1 axes (e.g. [C] -> [1, 1, C]). */
function isChannelKeepingReshape(layer: tfl.layers.Layer, tensor: tfl.SymbolicTensor): boolean {
  const input = tensor.shape.slice(1);
  const output = (layer.computeOutputShape(tensor.shape) as (number | null)[]).slice(1);
  const size = (shape: (number | null)[]) => shape.slice(0, -1).reduce((a: number, b) => a * (b ?? 0), 1);
  return input.at(-1) === output.at(-1) && size(input) === 1 && size(output) === 1;
}
