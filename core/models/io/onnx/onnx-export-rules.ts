import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelExportError } from '../model-errors.js';
import { canonicalOp } from './onnx-kernels.js';
import type { OnnxWriter } from './onnx-writer.js';
import { shortcutSources } from '../../zero-pad-shortcut.js';

type Shape = (number | null)[];

/** One layer being written: its inputs' ONNX names and engine shapes, its weights. */
export interface LayerExport {
  writer: OnnxWriter;
  layer: tfl.layers.Layer;
  inputs: { name: string; shape: Shape }[];
  outputShapes: Shape[];
  weights: { values: ArrayLike<number>; shape: number[] }[];
}

/** Writes a layer as ONNX nodes (rank-4 tensors NCHW); returns the ONNX names of its outputs. */
type ExportRule = (e: LayerExport) => string[];

const cfg = (e: LayerExport) => e.layer.getConfig() as Record<string, unknown>;
const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v as number, v as number]);
const fail = (e: LayerExport, detail: string) => new ModelExportError('ONNX', e.layer.name, `layer '${e.layer.name}' (${e.layer.getClassName()}) ${detail}`);

/** ONNX pads [top, left, bottom, right] for tfjs 'same' (extra on the end) or 'valid'. */
function samePads(e: LayerExport, kernel: [number, number], strides: [number, number], dilations: [number, number]): number[] {
  if (cfg(e).padding !== 'same') return [0, 0, 0, 0];
  const shape = e.inputs[0].shape;
  const total = [1, 2].map((axis, i) => {
    const size = shape[axis] as number;
    return Math.max(0, (Math.ceil(size / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
  });
  return [Math.floor(total[0] / 2), Math.floor(total[1] / 2), total[0] - Math.floor(total[0] / 2), total[1] - Math.floor(total[1] / 2)];
}

/** HWIO kernel values -> OIHW. */
function oihw(values: ArrayLike<number>, [kh, kw, i, o]: number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < i; c++) for (let f = 0; f < o; f++) out[((f * i + c) * kh + y) * kw + x] = values[((y * kw + x) * i + c) * o + f];
  return out;
}

/** A fused activation (tfjs layers carry one in their config) after the node that made `x`. */
function activate(e: LayerExport, x: string, activation: unknown, base: string): string {
  const w = e.writer;
  switch (activation ?? 'linear') {
    case 'linear':
      return w.node('Identity', [x], base)[0];
    case 'relu':
      return w.node('Relu', [x], base)[0];
    case 'relu6':
      return w.node('Clip', [x, w.floats(`${base}/min`, [0], []), w.floats(`${base}/max`, [6], [])], base)[0];
    case 'sigmoid':
      return w.node('Sigmoid', [x], base)[0];
    case 'tanh':
      return w.node('Tanh', [x], base)[0];
    case 'softmax':
      return w.node('Softmax', [x], base, { axis: e.outputShapes[0].length === 4 ? 1 : -1 })[0];
    case 'swish':
      return w.node('Mul', [x, w.node('Sigmoid', [x], `${base}/sigmoid`)[0]], base)[0];
    case 'hardSigmoid':
    case 'hard_sigmoid':
      return w.node('HardSigmoid', [x], base, { alpha: { float: 0.2 }, beta: { float: 0.5 } })[0];
    case 'elu':
      return w.node('Elu', [x], base)[0];
    default:
      throw fail(e, `has activation '${String(activation)}', which has no ONNX operator here`);
  }
}

/** A convolution with an OIHW weight; a fused activation after it. */
function conv(e: LayerExport, weight: Float32Array, dims: number[], bias: ArrayLike<number> | undefined, group: number, padsOverride?: number[]): string[] {
  const c = cfg(e);
  const w = e.writer;
  const name = e.layer.name;
  const kernel: [number, number] = [dims[2], dims[3]];
  const strides = pair(c.strides ?? 1);
  const dilations = pair(c.dilationRate ?? 1);
  const inputs = [e.inputs[0].name, w.floats(`${name}.weight`, weight, dims)];
  if (bias) inputs.push(w.floats(`${name}.bias`, bias, [dims[0]]));
  const attrs = { group, kernel_shape: kernel, strides, dilations, pads: padsOverride ?? samePads(e, kernel, strides, dilations) };
  const linear = (c.activation ?? 'linear') === 'linear';
  const y = w.node('Conv', inputs, linear ? name : `${name}/conv`, attrs)[0];
  return [linear ? y : activate(e, y, c.activation, name)];
}

const conv2d: ExportRule = (e) => {
  const [kernel, bias] = e.weights;
  return conv(e, oihw(kernel.values, kernel.shape), [kernel.shape[3], kernel.shape[2], kernel.shape[0], kernel.shape[1]], bias?.values, 1);
};

const groupedConv: ExportRule = (e) => {
  const [kernel, bias] = e.weights;
  return conv(
    e,
    oihw(kernel.values, kernel.shape),
    [kernel.shape[3], kernel.shape[2], kernel.shape[0], kernel.shape[1]],
    bias?.values,
    cfg(e).groups as number,
  );
};

/** Depthwise kernel [kh, kw, C, m] -> ONNX [C * m, 1, kh, kw], group C. */
function depthwiseWeight(values: ArrayLike<number>, [kh, kw, channels, m]: number[]): Float32Array {
  return oihw(values, [kh, kw, 1, channels * m]);
}

const depthwise: ExportRule = (e) => {
  const [kernel, bias] = e.weights;
  const [kh, kw, channels, m] = kernel.shape;
  return conv(e, depthwiseWeight(kernel.values, kernel.shape), [channels * m, 1, kh, kw], bias?.values, channels);
};

const separable: ExportRule = (e) => {
  const [depth, point, bias] = e.weights;
  const [kh, kw, channels, m] = depth.shape;
  const c = cfg(e);
  const strides = pair(c.strides ?? 1);
  const dilations = pair(c.dilationRate ?? 1);
  const w = e.writer;
  const name = e.layer.name;
  const dw = w.node(
    'Conv',
    [e.inputs[0].name, w.floats(`${name}.depthwise`, depthwiseWeight(depth.values, depth.shape), [channels * m, 1, kh, kw])],
    `${name}/depthwise`,
    {
      group: channels,
      kernel_shape: [kh, kw],
      strides,
      dilations,
      pads: samePads(e, [kh, kw], strides, dilations),
    },
  )[0];
  const [, , pin, pout] = point.shape;
  const pointwise: LayerExport = {
    ...e,
    inputs: [{ name: dw, shape: e.outputShapes[0] }],
    layer: { ...e.layer, getConfig: () => ({ ...c, strides: 1, dilationRate: 1, padding: 'valid' }), name } as never,
  };
  return conv(pointwise, oihw(point.values, point.shape), [pout, pin, 1, 1], bias?.values, 1);
};

const dense: ExportRule = (e) => {
  const [kernel, bias] = e.weights;
  const [inF, out] = kernel.shape;
  const w = e.writer;
  const name = e.layer.name;
  const weight = new Float32Array(inF * out);
  for (let i = 0; i < inF; i++) for (let o = 0; o < out; o++) weight[o * inF + i] = kernel.values[i * out + o];
  const inputs = [e.inputs[0].name, w.floats(`${name}.weight`, weight, [out, inF])];
  if (bias) inputs.push(w.floats(`${name}.bias`, bias.values, [out]));
  if (e.inputs[0].shape.length !== 2) throw fail(e, 'reads a tensor of rank other than 2');
  const activation = cfg(e).activation ?? 'linear';
  const y = w.node('Gemm', inputs, activation === 'linear' ? name : `${name}/gemm`, { transB: 1 })[0];
  return [activation === 'linear' ? y : activate(e, y, activation, name)];
};

const batchNorm: ExportRule = (e) => {
  const c = cfg(e);
  const axis = c.axis as number;
  const rank = e.inputs[0].shape.length;
  if (axis !== -1 && axis !== rank - 1) throw fail(e, `normalises axis ${axis}, not the channels`);
  const w = e.writer;
  const name = e.layer.name;
  let i = 0;
  const gamma = c.scale === false ? undefined : e.weights[i++];
  const beta = c.center === false ? undefined : e.weights[i++];
  const [mean, variance] = e.weights.slice(i);
  const n = mean.values.length;
  const inputs = [
    e.inputs[0].name,
    w.floats(`${name}.weight`, gamma?.values ?? new Float32Array(n).fill(1), [n]),
    w.floats(`${name}.bias`, beta?.values ?? new Float32Array(n), [n]),
    w.floats(`${name}.running_mean`, mean.values, [n]),
    w.floats(`${name}.running_var`, variance.values, [n]),
  ];
  return w.node('BatchNormalization', inputs, name, { epsilon: { float: c.epsilon as number }, momentum: { float: c.momentum as number } });
};

const relu: ExportRule = (e) => {
  const c = cfg(e);
  const max = c.maxValue as number | null | undefined;
  if ((c.negativeSlope as number | undefined) || (c.threshold as number | undefined)) throw fail(e, 'has a negative slope or threshold');
  const w = e.writer;
  const name = e.layer.name;
  if (max === null || max === undefined) return w.node('Relu', [e.inputs[0].name], name);
  return w.node('Clip', [e.inputs[0].name, w.floats(`${name}/min`, [0], []), w.floats(`${name}/max`, [max], [])], name);
};

const pointwise: ExportRule = (e) => {
  const c = cfg(e);
  const w = e.writer;
  const name = e.layer.name;
  const x = e.inputs[0].name;
  if (c.fn === 'clip') return w.node('Clip', [x, w.floats(`${name}/min`, [c.low as number], []), w.floats(`${name}/max`, [c.high as number], [])], name);
  const alpha = c.alpha as number;
  const beta = c.beta as number;
  if (c.fn === 'hardSwish' && Math.abs(alpha - 1 / 6) < 1e-9 && beta === 0.5) return w.node('HardSwish', [x], name);
  const gate = w.node('HardSigmoid', [x], c.fn === 'hardSigmoid' ? name : `${name}/gate`, { alpha: { float: alpha }, beta: { float: beta } })[0];
  return c.fn === 'hardSigmoid' ? [gate] : w.node('Mul', [x, gate], name);
};

const pool =
  (op: 'MaxPool' | 'AveragePool'): ExportRule =>
  (e) => {
    const c = cfg(e);
    const kernel = pair(c.poolSize);
    const strides = pair(c.strides ?? c.poolSize);
    const attrs: Record<string, number | number[]> = { kernel_shape: kernel, strides, pads: samePads(e, kernel, strides, [1, 1]) };
    if (op === 'AveragePool') attrs.count_include_pad = 0;
    return e.writer.node(op, [e.inputs[0].name], e.layer.name, attrs);
  };

const onnxPool: ExportRule = (e) => {
  const c = cfg(e);
  const op = c.mode === 'max' ? 'MaxPool' : 'AveragePool';
  const attrs: Record<string, number | number[]> = {
    kernel_shape: c.poolSize as number[],
    strides: c.strides as number[],
    pads: c.pads as number[],
    ceil_mode: c.ceilMode ? 1 : 0,
  };
  if (op === 'AveragePool') attrs.count_include_pad = c.countIncludePad ? 1 : 0;
  return e.writer.node(op, [e.inputs[0].name], e.layer.name, attrs);
};

const globalPool =
  (op: 'GlobalAveragePool' | 'GlobalMaxPool', keep: boolean): ExportRule =>
  (e) => {
    const name = e.layer.name;
    const pooled = e.writer.node(op, [e.inputs[0].name], keep ? name : `${name}/pool`)[0];
    return keep ? [pooled] : e.writer.node('Flatten', [pooled], name, { axis: 1 });
  };

/** Channels-last flatten: NCHW goes to NHWC first so the features keep the engine's (h, w, c) order. */
const flatten: ExportRule = (e) => {
  const shape = e.inputs[0].shape;
  const name = e.layer.name;
  if (shape.length === 2) return e.writer.node('Identity', [e.inputs[0].name], name);
  const spatial = shape.length === 4 && shape[1] === 1 && shape[2] === 1;
  const x = spatial || shape.length !== 4 ? e.inputs[0].name : e.writer.node('Transpose', [e.inputs[0].name], `${name}/nhwc`, { perm: [0, 2, 3, 1] })[0];
  return e.writer.node('Flatten', [x], name, { axis: 1 });
};

/** Engine reshape (per image, channels-last) in ONNX: through NHWC when either side is rank 4. */
const reshape: ExportRule = (e) => {
  const w = e.writer;
  const name = e.layer.name;
  const inShape = e.inputs[0].shape;
  const outShape = e.outputShapes[0];
  const x = inShape.length === 4 ? w.node('Transpose', [e.inputs[0].name], `${name}/nhwc`, { perm: [0, 2, 3, 1] })[0] : e.inputs[0].name;
  const target = [0, ...outShape.slice(1).map((d) => d ?? -1)];
  const y = w.node('Reshape', [x, w.int64s(`${name}/shape`, target)], outShape.length === 4 ? `${name}/reshaped` : name)[0];
  return outShape.length === 4 ? w.node('Transpose', [y], name, { perm: [0, 3, 1, 2] }) : [y];
};

const zeroPadding: ExportRule = (e) => {
  const [[t, b], [l, r]] = cfg(e).padding as number[][];
  return e.writer.node('Pad', [e.inputs[0].name, e.writer.int64s(`${e.layer.name}/pads`, [0, 0, t, l, 0, 0, b, r])], e.layer.name, { mode: 'constant' });
};

/** Element-wise merges: a chain of binary nodes (Add, Mul) or one variadic node (Max, Min, Mean). */
const merge =
  (op: string, variadic: boolean): ExportRule =>
  (e) => {
    const names = e.inputs.map((i) => i.name);
    if (variadic || names.length === 2) return e.writer.node(op, names, e.layer.name);
    let acc = names[0];
    names.slice(1).forEach((n, i) => (acc = e.writer.node(op, [acc, n], i === names.length - 2 ? e.layer.name : `${e.layer.name}/${i}`)[0]));
    return [acc];
  };

/** An engine axis -> ONNX axis (rank 4: NHWC -> NCHW). */
function onnxAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return rank === 4 ? [0, 2, 3, 1][a] : a;
}

const concat: ExportRule = (e) =>
  e.writer.node(
    'Concat',
    e.inputs.map((i) => i.name),
    e.layer.name,
    { axis: onnxAxis(cfg(e).axis as number, e.inputs[0].shape.length) },
  );

const softmax: ExportRule = (e) => {
  const axis = cfg(e).axis;
  return e.writer.node('Softmax', [e.inputs[0].name], e.layer.name, {
    axis: onnxAxis(Array.isArray(axis) ? axis[0] : ((axis as number) ?? -1), e.inputs[0].shape.length),
  });
};

const activation: ExportRule = (e) => [activate(e, e.inputs[0].name, cfg(e).activation, e.layer.name)];

const identity: ExportRule = (e) => e.writer.node('Identity', [e.inputs[0].name], e.layer.name);

/** The option-A shortcut: subsample by a 1x1 average pool, then a fixed 0/1 1x1 convolution picks channels (zeros past the input). */
const zeroPadShortcut: ExportRule = (e) => {
  const c = cfg(e);
  const w = e.writer;
  const name = e.layer.name;
  const stride = c.stride as number;
  const inChannels = e.inputs[0].shape[3] as number;
  const outChannels = c.outChannels as number;
  const source = shortcutSources(c.sourceChannels as number[] | undefined, outChannels, inChannels);
  const x =
    stride === 1 ? e.inputs[0].name : w.node('AveragePool', [e.inputs[0].name], `${name}/subsample`, { kernel_shape: [1, 1], strides: [stride, stride] })[0];
  const weight = new Float32Array(outChannels * inChannels);
  source.forEach((s, o) => s >= 0 && (weight[o * inChannels + s] = 1));
  return w.node('Conv', [x, w.floats(`${name}.select`, weight, [outChannels, inChannels, 1, 1])], name, { kernel_shape: [1, 1] });
};

/** Snake-case ONNX attribute names back from the camelCase the engine keeps. */
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const INT_INPUTS: Record<string, number[] | undefined> = {
  Reshape: [1],
  Slice: [1, 2, 3, 4],
  Split: [1],
  Unsqueeze: [1],
  Squeeze: [1],
  Gather: [1],
  ReduceMean: [1],
  ConstantOfShape: [0],
};

/** An ONNX operator the engine kept as it was: written back as it came (constants as initializers; NaN, the batch, as 0 or -1). */
const onnxOp: ExportRule = (e) => {
  const c = cfg(e) as { op: string; attrs: Record<string, unknown>; constants: ({ dims: number[]; values: number[] } | null)[]; outputs: number };
  const w = e.writer;
  const name = e.layer.name;
  let next = 0;
  const inputs = c.constants.map((k, i) => {
    if (k === null) return e.inputs[next++].name;
    if (k.dims.length === 1 && k.dims[0] === 0 && k.values.length === 0) return '';
    const values = k.values.map((v, j) => (v === null || Number.isNaN(v) ? (j === 0 ? 0 : -1) : v));
    return INT_INPUTS[canonicalOp(c.op)]?.includes(i) ? w.int64s(`${name}/in${i}`, values, k.dims) : w.floats(`${name}/in${i}`, values, k.dims);
  });
  while (inputs.at(-1) === '') inputs.pop();
  const attrs: Record<string, number | number[]> = {};
  for (const [key, value] of Object.entries(c.attrs)) {
    if (typeof value === 'number' || Array.isArray(value)) attrs[snake(key)] = value as number | number[];
    else throw fail(e, `keeps attribute '${key}' of a kind not written back`);
  }
  return w.node(canonicalOp(c.op), inputs, name, attrs, c.outputs);
};

export const EXPORT_RULES: Record<string, ExportRule> = {
  Conv2D: conv2d,
  GroupedConv2D: groupedConv,
  DepthwiseConv2D: depthwise,
  SeparableConv2D: separable,
  Dense: dense,
  BatchNormalization: batchNorm,
  ReLU: relu,
  LeakyReLU: (e) => e.writer.node('LeakyRelu', [e.inputs[0].name], e.layer.name, { alpha: { float: cfg(e).alpha as number } }),
  Activation: activation,
  PointwiseActivation: pointwise,
  Softmax: softmax,
  MaxPooling2D: pool('MaxPool'),
  AveragePooling2D: pool('AveragePool'),
  OnnxPool2D: onnxPool,
  GlobalAveragePooling2D: globalPool('GlobalAveragePool', false),
  GlobalMaxPooling2D: globalPool('GlobalMaxPool', false),
  GlobalPool2D: (e) => globalPool(cfg(e).mode === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool', true)(e),
  Flatten: flatten,
  Reshape: reshape,
  ZeroPadding2D: zeroPadding,
  Dropout: identity,
  SpatialDropout2D: identity,
  Add: merge('Add', false),
  Multiply: merge('Mul', false),
  Maximum: merge('Max', true),
  Minimum: merge('Min', true),
  Average: merge('Mean', true),
  Concatenate: concat,
  ZeroPadShortcut: zeroPadShortcut,
  OnnxOp: onnxOp,
};
