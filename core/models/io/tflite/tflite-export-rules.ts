import type * as tfl from '@tensorflow/tfjs-layers';
import { activate, binary, clip, fusedCode, hardSigmoid, softmax, TFLITE_ACTIVATIONS, unary } from './tflite-activations.js';
import type { Shape, TfliteGraph } from './tflite-builder.js';
import { TFLITE_ENUMS } from './tflite-schema.js';
import { shortcutSources } from '../../zero-pad-shortcut.js';
import { onnxOpRule } from './tflite-onnx-ops.js';

/** One layer being written: its inputs' tensor indices and engine shapes (NHWC, as TFLite's), its weights. */
export interface LayerExport {
  graph: TfliteGraph;
  layer: tfl.layers.Layer;
  inputs: { tensor: number; shape: Shape }[];
  outputShapes: Shape[];
  weights: { values: ArrayLike<number>; shape: number[] }[];
}

/**
 * How one layer class becomes TFLite operators: `check` says, before any run, why a layer of this class
 * cannot be written (undefined when it can); `write` adds its operators and returns its output tensors.
 */
export interface TfliteRule {
  check?: (config: Record<string, unknown>, layer: tfl.layers.Layer) => string | undefined;
  write: (e: LayerExport) => number[];
}

type Config = Record<string, unknown>;
const cfg = (e: LayerExport) => e.layer.getConfig() as Config;
const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v as number, v as number]);
const PADDING = TFLITE_ENUMS.Padding;
const lastAxis = (axis: unknown, rank: number) => {
  const a = (Array.isArray(axis) ? axis[0] : (axis ?? -1)) as number;
  return a === -1 || a === rank - 1;
};
const activationCheck = (c: Config) =>
  TFLITE_ACTIVATIONS.has(String(c.activation ?? 'linear')) ? undefined : `has activation '${String(c.activation)}', which has no TFLite operator here`;

/** The layer's output tensor after its main operator: fused where TFLite can, separate operators otherwise. */
function withActivation(e: LayerExport, write: (out: number, fused: number) => void): number[] {
  const { graph: g, layer } = e;
  const activation = cfg(e).activation;
  const fused = fusedCode(activation);
  const shape = e.outputShapes[0];
  const y = g.activation(fused === undefined ? `${layer.name}/linear` : layer.name, shape);
  write(y, fused ?? 0);
  return [fused === undefined ? activate(g, y, activation, shape, layer.name) : y];
}

/** HWIO kernel -> OHWI, TFLite's filter layout. */
function ohwi(values: ArrayLike<number>, [kh, kw, i, o]: number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < i; c++) for (let f = 0; f < o; f++) out[((f * kh + y) * kw + x) * i + c] = values[((y * kw + x) * i + c) * o + f];
  return out;
}

function convOp(e: LayerExport, kernel: Float32Array, [o, kh, kw, i]: number[], bias: ArrayLike<number> | undefined, c: Config): number[] {
  const g = e.graph;
  const name = e.layer.name;
  const [sh, sw] = pair(c.strides ?? 1);
  const [dh, dw] = pair(c.dilationRate ?? 1);
  const filter = g.floats(`${name}/kernel`, kernel, [o, kh, kw, i]);
  const b = g.floats(`${name}/bias`, bias ?? new Float32Array(o), [o]);
  return withActivation(e, (y, fused) =>
    g.op('CONV_2D', [e.inputs[0].tensor, filter, b], [y], 'Conv2DOptions', {
      padding: c.padding === 'same' ? PADDING.SAME : PADDING.VALID,
      stride_w: sw,
      stride_h: sh,
      dilation_w_factor: dw,
      dilation_h_factor: dh,
      fused_activation_function: fused,
    }),
  );
}

const conv2d: TfliteRule = {
  check: activationCheck,
  write: (e) => {
    const [kernel, bias] = e.weights;
    const [kh, kw, i, o] = kernel.shape;
    return convOp(e, ohwi(kernel.values, kernel.shape), [o, kh, kw, i], bias?.values, cfg(e));
  },
};

/** A grouped convolution as one convolution whose kernel is block-diagonal over the groups (zeros across them). */
const groupedConv: TfliteRule = {
  write: (e) => {
    const [kernel, bias] = e.weights;
    const c = cfg(e);
    const groups = c.groups as number;
    const [kh, kw, perGroup, o] = kernel.shape;
    const i = perGroup * groups;
    const outPerGroup = o / groups;
    const full = new Float32Array(kh * kw * i * o);
    for (let p = 0; p < kh * kw; p++)
      for (let ci = 0; ci < perGroup; ci++)
        for (let f = 0; f < o; f++) full[(p * i + Math.floor(f / outPerGroup) * perGroup + ci) * o + f] = kernel.values[(p * perGroup + ci) * o + f];
    return convOp(e, ohwi(full, [kh, kw, i, o]), [o, kh, kw, i], bias?.values, { ...c, activation: 'linear' });
  },
};

/** The depthwise operator, to be given its output tensor and fused activation. */
function depthwiseOp(
  e: LayerExport,
  kernel: { values: ArrayLike<number>; shape: number[] },
  bias: ArrayLike<number> | undefined,
  name: string,
  c: Config,
): (y: number, fused: number) => void {
  const g = e.graph;
  const [kh, kw, channels, m] = kernel.shape;
  const [sh, sw] = pair(c.strides ?? 1);
  const [dh, dw] = pair(c.dilationRate ?? 1);
  // [kh, kw, C, m] in memory is [1, kh, kw, C * m], TFLite's depthwise filter.
  const filter = g.floats(`${name}/depthwise_kernel`, kernel.values, [1, kh, kw, channels * m]);
  const b = g.floats(`${name}/depthwise_bias`, bias ?? new Float32Array(channels * m), [channels * m]);
  return (y, fused) =>
    g.op('DEPTHWISE_CONV_2D', [e.inputs[0].tensor, filter, b], [y], 'DepthwiseConv2DOptions', {
      padding: c.padding === 'same' ? PADDING.SAME : PADDING.VALID,
      stride_w: sw,
      stride_h: sh,
      depth_multiplier: m,
      dilation_w_factor: dw,
      dilation_h_factor: dh,
      fused_activation_function: fused,
    });
}

const depthwise: TfliteRule = {
  check: activationCheck,
  write: (e) => {
    const [kernel, bias] = e.weights;
    return withActivation(e, depthwiseOp(e, kernel, bias?.values, e.layer.name, cfg(e)));
  },
};

/** Depthwise then a 1x1 convolution with the bias and activation. */
const separable: TfliteRule = {
  check: activationCheck,
  write: (e) => {
    const [depth, point, bias] = e.weights;
    const c = cfg(e);
    const g = e.graph;
    const mid = g.activation(`${e.layer.name}/depthwise`, e.outputShapes[0].slice(0, 3).concat(depth.shape[2] * depth.shape[3]));
    depthwiseOp(e, depth, undefined, e.layer.name, c)(mid, 0);
    const [, , pin, pout] = point.shape;
    const pointwise: LayerExport = { ...e, inputs: [{ tensor: mid, shape: [] }] };
    return convOp(pointwise, ohwi(point.values, point.shape), [pout, 1, 1, pin], bias?.values, { ...c, strides: 1, dilationRate: 1, padding: 'valid' });
  },
};

const dense: TfliteRule = {
  check: activationCheck,
  write: (e) => {
    const [kernel, bias] = e.weights;
    const [inF, out] = kernel.shape;
    const g = e.graph;
    const name = e.layer.name;
    const weight = new Float32Array(inF * out);
    for (let i = 0; i < inF; i++) for (let o = 0; o < out; o++) weight[o * inF + i] = kernel.values[i * out + o];
    const w = g.floats(`${name}/kernel`, weight, [out, inF]);
    const b = g.floats(`${name}/bias`, bias?.values ?? new Float32Array(out), [out]);
    return withActivation(e, (y, fused) =>
      g.op('FULLY_CONNECTED', [e.inputs[0].tensor, w, b], [y], 'FullyConnectedOptions', {
        fused_activation_function: fused,
        keep_num_dims: e.inputs[0].shape.length > 2,
      }),
    );
  },
};

/** A batch norm no convolution absorbed: x * scale + shift, per channel. */
const batchNorm: TfliteRule = {
  check: (c, layer) => {
    const rank = (layer.input as tfl.SymbolicTensor).shape?.length ?? 4;
    return c.axis === -1 || c.axis === rank - 1 ? undefined : `normalises axis ${String(c.axis)}, not the channels`;
  },
  write: (e) => {
    const c = cfg(e);
    let i = 0;
    const gamma = c.scale === false ? undefined : e.weights[i++];
    const beta = c.center === false ? undefined : e.weights[i++];
    const [mean, variance] = e.weights.slice(i);
    const n = mean.values.length;
    const scale = Float32Array.from({ length: n }, (_, k) => (gamma?.values[k] ?? 1) / Math.sqrt(variance.values[k] + (c.epsilon as number)));
    const shift = Float32Array.from({ length: n }, (_, k) => (beta?.values[k] ?? 0) - mean.values[k] * scale[k]);
    const g = e.graph;
    const name = e.layer.name;
    const shape = e.outputShapes[0];
    const scaled = binary(g, 'MUL', e.inputs[0].tensor, g.floats(`${name}/scale`, scale, [n]), shape, `${name}/scaled`);
    return [binary(g, 'ADD', scaled, g.floats(`${name}/shift`, shift, [n]), shape, name)];
  },
};

const relu: TfliteRule = {
  check: (c) => ((c.negativeSlope as number | undefined) || (c.threshold as number | undefined) ? 'has a negative slope or threshold' : undefined),
  write: (e) => {
    const max = cfg(e).maxValue as number | null | undefined;
    return [clip(e.graph, e.inputs[0].tensor, 0, max ?? Infinity, e.outputShapes[0], e.layer.name)];
  },
};

const pointwise: TfliteRule = {
  write: (e) => {
    const c = cfg(e);
    const { graph: g, layer } = e;
    const x = e.inputs[0].tensor;
    const shape = e.outputShapes[0];
    if (c.fn === 'clip') return [clip(g, x, c.low as number, c.high as number, shape, layer.name)];
    const alpha = c.alpha as number;
    const beta = c.beta as number;
    if (c.fn === 'hardSwish' && Math.abs(alpha - 1 / 6) < 1e-9 && beta === 0.5) return [unary(g, 'HARD_SWISH', x, shape, layer.name)];
    if (c.fn === 'hardSigmoid') return [hardSigmoid(g, x, alpha, beta, shape, layer.name)];
    return [binary(g, 'MUL', x, hardSigmoid(g, x, alpha, beta, shape, `${layer.name}/gate`), shape, layer.name)];
  },
};

function poolOp(
  e: LayerExport,
  op: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D',
  x: number,
  kernel: [number, number],
  strides: [number, number],
  padding: number,
  name: string,
  shape: Shape,
): number {
  const y = e.graph.activation(name, shape);
  e.graph.op(op, [x], [y], 'Pool2DOptions', {
    padding,
    stride_w: strides[1],
    stride_h: strides[0],
    filter_width: kernel[1],
    filter_height: kernel[0],
    fused_activation_function: 0,
  });
  return y;
}

/** Keras pools: TFLite's SAME average excludes the padding from the count, as tfjs does. */
const pool = (op: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D'): TfliteRule => ({
  write: (e) => {
    const c = cfg(e);
    const kernel = pair(c.poolSize);
    return [
      poolOp(
        e,
        op,
        e.inputs[0].tensor,
        kernel,
        pair(c.strides ?? c.poolSize),
        c.padding === 'same' ? PADDING.SAME : PADDING.VALID,
        e.layer.name,
        e.outputShapes[0],
      ),
    ];
  },
});

/** ONNX pools (explicit pads, ceil mode): padded first (by -FLT_MAX for max), pooled VALID; averages rescaled by each window's count. */
const onnxPool: TfliteRule = {
  write: (e) => {
    const c = cfg(e) as { mode: string; poolSize: [number, number]; strides: [number, number]; pads: number[]; countIncludePad: boolean };
    const g = e.graph;
    const name = e.layer.name;
    const [, h, w] = e.inputs[0].shape as number[];
    const [, oh, ow] = e.outputShapes[0] as number[];
    const extra = [0, 1].map((i) =>
      Math.max(0, ((e.outputShapes[0][i + 1] as number) - 1) * c.strides[i] + c.poolSize[i] - ((i === 0 ? h : w) + c.pads[i] + c.pads[i + 2])),
    );
    const padding = [0, 0, c.pads[0], c.pads[2] + extra[0], c.pads[1], c.pads[3] + extra[1], 0, 0];
    const padded = padding.some((p) => p > 0);
    let x = e.inputs[0].tensor;
    const paddedShape: Shape = [null, h + padding[2] + padding[3], w + padding[4] + padding[5], e.inputs[0].shape[3]];
    if (padded) {
      const y = g.activation(`${name}/padded`, paddedShape);
      const pads = g.ints(`${name}/pads`, padding, [4, 2]);
      if (c.mode === 'max') g.op('PADV2', [x, pads, g.floats(`${name}/lowest`, [-3.4028234663852886e38], [])], [y], 'PadV2Options', {});
      else g.op('PAD', [x, pads], [y], 'PadOptions', {});
      x = y;
    }
    if (c.mode === 'max' || !padded)
      return [poolOp(e, c.mode === 'max' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', x, c.poolSize, c.strides, PADDING.VALID, name, e.outputShapes[0])];
    // Each window's sum over the padded input, divided by the positions that count (as the engine's layer does).
    const mean = poolOp(e, 'AVERAGE_POOL_2D', x, c.poolSize, c.strides, PADDING.VALID, `${name}/padded_mean`, e.outputShapes[0]);
    const [kh, kw] = c.poolSize;
    const factor = new Float32Array(oh * ow);
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        let count = 0;
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const py = y * c.strides[0] + i;
            const px = xx * c.strides[1] + j;
            const inExplicit = py < h + c.pads[0] + c.pads[2] && px < w + c.pads[1] + c.pads[3];
            const inInput = py >= c.pads[0] && py < h + c.pads[0] && px >= c.pads[1] && px < w + c.pads[1];
            if (c.countIncludePad ? inExplicit : inInput) count++;
          }
        factor[y * ow + xx] = (kh * kw) / count;
      }
    return [binary(g, 'MUL', mean, g.floats(`${name}/counts`, factor, [1, oh, ow, 1]), e.outputShapes[0], name)];
  },
};

function reduce(e: LayerExport, op: 'MEAN' | 'REDUCE_MAX', keep: boolean): number[] {
  const g = e.graph;
  const y = g.activation(e.layer.name, e.outputShapes[0]);
  g.op(op, [e.inputs[0].tensor, g.ints(`${e.layer.name}/axes`, [1, 2])], [y], 'ReducerOptions', { keep_dims: keep });
  return [y];
}

/** A reshape of each image (the batch stays the first axis, -1). */
function reshape(e: LayerExport): number[] {
  const g = e.graph;
  const target = [-1, ...e.outputShapes[0].slice(1).map((d) => d as number)];
  const y = g.activation(e.layer.name, e.outputShapes[0]);
  g.op('RESHAPE', [e.inputs[0].tensor, g.ints(`${e.layer.name}/shape`, target)], [y], 'ReshapeOptions', {});
  return [y];
}

const zeroPadding: TfliteRule = {
  write: (e) => {
    const [[t, b], [l, r]] = cfg(e).padding as number[][];
    const y = e.graph.activation(e.layer.name, e.outputShapes[0]);
    e.graph.op('PAD', [e.inputs[0].tensor, e.graph.ints(`${e.layer.name}/pads`, [0, 0, t, b, l, r, 0, 0], [4, 2])], [y], 'PadOptions', {});
    return [y];
  },
};

/** Element-wise merges of any number of inputs, as a chain of binary operators (Average: a sum times 1/n). */
const merge = (op: 'ADD' | 'MUL' | 'MAXIMUM' | 'MINIMUM', average = false): TfliteRule => ({
  write: (e) => {
    const { graph: g, layer } = e;
    const shape = e.outputShapes[0];
    const n = e.inputs.length;
    let acc = e.inputs[0].tensor;
    e.inputs.slice(1).forEach((input, i) => (acc = binary(g, op, acc, input.tensor, shape, i === n - 2 && !average ? layer.name : `${layer.name}/${i}`)));
    return [average ? binary(g, 'MUL', acc, g.floats(`${layer.name}/share`, [1 / n], []), shape, layer.name) : acc];
  },
});

const concat: TfliteRule = {
  write: (e) => {
    const rank = e.inputs[0].shape.length;
    const axis = cfg(e).axis as number;
    const y = e.graph.activation(e.layer.name, e.outputShapes[0]);
    e.graph.op(
      'CONCATENATION',
      e.inputs.map((i) => i.tensor),
      [y],
      'ConcatenationOptions',
      { axis: axis < 0 ? axis + rank : axis, fused_activation_function: 0 },
    );
    return [y];
  },
};

const softmaxLayer: TfliteRule = {
  check: (c, layer) =>
    lastAxis(c.axis, (layer.input as tfl.SymbolicTensor).shape?.length ?? 2)
      ? undefined
      : "normalises an axis other than the last, which TFLite's SOFTMAX does not",
  write: (e) => [softmax(e.graph, e.inputs[0].tensor, e.outputShapes[0], e.layer.name)],
};

const activation: TfliteRule = {
  check: activationCheck,
  write: (e) => [activate(e.graph, e.inputs[0].tensor, cfg(e).activation, e.outputShapes[0], e.layer.name)],
};

const identity: TfliteRule = { write: (e) => [e.inputs[0].tensor] };

/** The option-A shortcut as one fixed 0/1 1x1 convolution with the shortcut's stride: subsample and pick channels (zeros past the input). */
const zeroPadShortcut: TfliteRule = {
  write: (e) => {
    const c = cfg(e);
    const stride = c.stride as number;
    const inChannels = e.inputs[0].shape[3] as number;
    const outChannels = c.outChannels as number;
    const source = shortcutSources(c.sourceChannels as number[] | undefined, outChannels, inChannels);
    const weight = new Float32Array(outChannels * inChannels);
    source.forEach((s, o) => s >= 0 && (weight[o * inChannels + s] = 1));
    return convOp(e, weight, [outChannels, 1, 1, inChannels], undefined, { strides: stride, padding: 'valid', activation: 'linear' });
  },
};

export const TFLITE_RULES: Record<string, TfliteRule> = {
  Conv2D: conv2d,
  GroupedConv2D: groupedConv,
  DepthwiseConv2D: depthwise,
  SeparableConv2D: separable,
  Dense: dense,
  BatchNormalization: batchNorm,
  ReLU: relu,
  LeakyReLU: {
    write: (e) => {
      const y = e.graph.activation(e.layer.name, e.outputShapes[0]);
      e.graph.op('LEAKY_RELU', [e.inputs[0].tensor], [y], 'LeakyReluOptions', { alpha: cfg(e).alpha as number });
      return [y];
    },
  },
  Activation: activation,
  PointwiseActivation: pointwise,
  Softmax: softmaxLayer,
  MaxPooling2D: pool('MAX_POOL_2D'),
  AveragePooling2D: pool('AVERAGE_POOL_2D'),
  OnnxPool2D: onnxPool,
  GlobalAveragePooling2D: { write: (e) => reduce(e, 'MEAN', false) },
  GlobalMaxPooling2D: { write: (e) => reduce(e, 'REDUCE_MAX', false) },
  GlobalPool2D: { write: (e) => reduce(e, cfg(e).mode === 'max' ? 'REDUCE_MAX' : 'MEAN', true) },
  Flatten: { write: reshape },
  Reshape: { write: reshape },
  ZeroPadding2D: zeroPadding,
  Dropout: identity,
  SpatialDropout2D: identity,
  Add: merge('ADD'),
  Multiply: merge('MUL'),
  Maximum: merge('MAXIMUM'),
  Minimum: merge('MINIMUM'),
  Average: merge('ADD', true),
  Concatenate: concat,
  ZeroPadShortcut: zeroPadShortcut,
  OnnxOp: onnxOpRule,
};
