import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { foldConstants, NodeContext, onnxShape, type Value } from './onnx-graph.js';
import { GENERIC_OPS } from './onnx-kernels.js';
import { GlobalPool2D, GroupedConv2D, OnnxOp, OnnxPool2D, PointwiseActivation } from './onnx-layers.js';

/**
 * How each ONNX operator becomes engine layers (channels-last). One entry per operator; operators without
 * an entry but with a kernel in onnx-kernels.ts are kept as they are (OnnxOp), blocking pruning through them.
 */
type Rule = (n: NodeContext) => void;

const pair = (v: number[] | undefined, fallback: number): [number, number] => [v?.[0] ?? fallback, v?.[1] ?? fallback];
const num = (n: NodeContext, key: string, fallback: number): number => (n.attrs[key] as number | undefined) ?? fallback;
const ints = (n: NodeContext, key: string): number[] | undefined => n.attrs[key] as number[] | undefined;
const single = (n: NodeContext, layer: tfl.layers.Layer, weights?: tf.Tensor[]) => n.output({ tensor: n.apply(layer, [n.input(0)], weights) });

/** ONNX pads [top, left, bottom, right], from explicit pads or auto_pad. */
function padsOf(
  n: NodeContext,
  inH: number,
  inW: number,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
): [number, number, number, number] {
  const auto = n.attrs.autoPad as string | undefined;
  if (auto === 'SAMEUPPER' || auto === 'SAMELOWER') {
    const total = (size: number, i: number) => Math.max(0, (Math.ceil(size / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
    const [th, tw] = [total(inH, 0), total(inW, 1)];
    const lower = auto === 'SAMELOWER';
    const first = (t: number) => (lower ? Math.ceil(t / 2) : Math.floor(t / 2));
    return [first(th), first(tw), th - first(th), tw - first(tw)];
  }
  const pads = ints(n, 'pads') ?? [0, 0, 0, 0];
  return [pads[0], pads[1], pads[2], pads[3]];
}

/** 'same' where tfjs pads exactly as ONNX does (stride 1, even padding of the dilated kernel's reach), else explicit padding. */
function padding(pads: number[], kernel: [number, number], strides: [number, number], dilations: [number, number]): 'same' | 'valid' | 'explicit' {
  if (pads.every((p) => p === 0)) return 'valid';
  const even = [0, 1].every((i) => strides[i] === 1 && pads[i] === pads[i + 2] && 2 * pads[i] === (kernel[i] - 1) * dilations[i]);
  return even ? 'same' : 'explicit';
}

function zeroPad(n: NodeContext, x: Value, pads: number[]): Value {
  const layer = tfl.layers.zeroPadding2d({
    padding: [
      [pads[0], pads[2]],
      [pads[1], pads[3]],
    ],
    name: n.layerName('_pad'),
  });
  return { tensor: n.apply(layer, [x]) };
}

const conv: Rule = (n) => {
  let x = n.input(0);
  const w = n.requireConst(1, 'weight');
  const bias = n.constant(2);
  const [out, inPerGroup, kh, kw] = w.dims;
  const inChannels = x.tensor.shape[3] as number;
  const group = num(n, 'group', 1);
  if (w.dims.length !== 4 || x.tensor.shape.length !== 4) throw n.error('only 2-D convolutions are read (input and weight of rank 4)');
  const kernel: [number, number] = [kh, kw];
  const strides = pair(ints(n, 'strides'), 1);
  const dilations = pair(ints(n, 'dilations'), 1);
  const pads = padsOf(n, x.tensor.shape[1] as number, x.tensor.shape[2] as number, kernel, strides, dilations);
  let mode = padding(pads, kernel, strides, dilations);
  if (mode === 'explicit') {
    x = zeroPad(n, x, pads);
    mode = 'valid';
  }
  const common = { kernelSize: kernel, strides, dilationRate: dilations, padding: mode, useBias: bias !== undefined, name: n.layerName() };
  const biasWeights = bias ? [tf.tensor1d(Float32Array.from(bias.values))] : [];
  // OIHW -> HWIO: kernel[y][x][i][o] = w[o][i][y][x]
  const hwio = (values: ArrayLike<number>, o: number, i: number) =>
    tf.tidy(() => tf.transpose(tf.tensor4d(Float32Array.from(values), [o, i, kh, kw]), [2, 3, 1, 0]));
  if (group === 1) {
    n.output({ tensor: n.apply(tfl.layers.conv2d({ ...common, filters: out }), [x], [hwio(w.values, out, inPerGroup), ...biasWeights]) });
  } else if (group === inChannels && inPerGroup === 1 && out % group === 0) {
    // Depthwise: output channel c * m + j reads input channel c, as in tfjs's [kh, kw, in, m] kernel.
    const multiplier = out / group;
    const kernelValues = tf.tidy(() => tf.reshape(hwio(w.values, out, 1), [kh, kw, group, multiplier]));
    n.output({ tensor: n.apply(tfl.layers.depthwiseConv2d({ ...common, depthMultiplier: multiplier }), [x], [kernelValues, ...biasWeights]) });
  } else {
    const layer = new GroupedConv2D({ ...common, filters: out, groups: group, padding: mode });
    n.output({ tensor: n.apply(layer, [x], [hwio(w.values, out, inPerGroup), ...biasWeights]) });
  }
};

const batchNorm: Rule = (n) => {
  const [scale, shift, mean, variance] = [1, 2, 3, 4].map((i) => n.requireConst(i, ['scale', 'bias', 'mean', 'variance'][i - 1]));
  const layer = tfl.layers.batchNormalization({ axis: -1, epsilon: num(n, 'epsilon', 1e-5), momentum: num(n, 'momentum', 0.9), name: n.layerName() });
  single(
    n,
    layer,
    [scale, shift, mean, variance].map((c) => tf.tensor1d(Float32Array.from(c.values))),
  );
};

const clip: Rule = (n) => {
  const bound = (attr: string, i: number, fallback: number) => (n.attrs[attr] as number | undefined) ?? n.constant(i)?.values[0] ?? fallback;
  const low = bound('min', 1, -Infinity);
  const high = bound('max', 2, Infinity);
  const name = n.layerName();
  if (low === 0) single(n, tfl.layers.reLU({ maxValue: Number.isFinite(high) ? high : undefined, name }));
  else single(n, new PointwiseActivation({ fn: 'clip', low, high, name }));
};

const pool =
  (mode: 'max' | 'avg'): Rule =>
  (n) => {
    const x = n.input(0);
    const kernel = pair(ints(n, 'kernelShape'), 1);
    const strides = pair(ints(n, 'strides'), 1);
    const dilations = pair(ints(n, 'dilations'), 1);
    if (dilations.some((d) => d !== 1)) throw n.error('pooling with dilations is not read');
    const [inH, inW] = [x.tensor.shape[1] as number, x.tensor.shape[2] as number];
    const pads = padsOf(n, inH, inW, kernel, strides, dilations);
    const ceil = num(n, 'ceilMode', 0) === 1;
    const exact = [inH, inW].every((size, i) => (size - kernel[i]) % strides[i] === 0);
    const name = n.layerName();
    if (pads.every((p) => p === 0) && (!ceil || exact)) {
      const args = { poolSize: kernel, strides, padding: 'valid' as const, name };
      single(n, mode === 'max' ? tfl.layers.maxPooling2d(args) : tfl.layers.averagePooling2d(args));
    } else {
      const countIncludePad = num(n, 'countIncludePad', 0) === 1;
      single(n, new OnnxPool2D({ mode, poolSize: kernel, strides, pads, ceilMode: ceil, countIncludePad, name }));
    }
  };

/** Mean over H and W (axes 2, 3 of NCHW): a global average pool, 1 x 1 kept or dropped. */
const reduceMean: Rule = (n) => {
  const axes = ((ints(n, 'axes') ?? (n.constant(1) ? Array.from(n.constant(1)!.values) : [])) as number[]).map((a) => (a < 0 ? a + 4 : a)).sort();
  if (n.rank(0) !== 4 || axes.join() !== '2,3') return generic(n);
  const keep = num(n, 'keepdims', 1) === 1;
  single(n, keep ? new GlobalPool2D({ mode: 'avg', name: n.layerName() }) : tfl.layers.globalAveragePooling2d({ name: n.layerName() }));
};

function flattenValue(n: NodeContext, source: Value): void {
  const [, h, w] = source.tensor.shape as number[];
  const tensor = n.apply(tfl.layers.flatten({ name: n.layerName() }), [source]);
  n.output(h * w === 1 ? { tensor } : { tensor, flatOf: source });
}

/** Flatten of an NHWC tensor: the engine's channels-last order is ONNX's own here, so no rows move. */
function flattenNhwc(n: NodeContext): void {
  n.output({ tensor: n.apply(tfl.layers.flatten({ name: n.layerName() }), [{ tensor: n.raw(0).tensor }]) });
}

const flatten: Rule = (n) => {
  const axis = num(n, 'axis', 1);
  if (axis !== 1) return generic(n);
  if (n.raw(0).nhwc) return flattenNhwc(n);
  if (n.rank(0) === 4) return flattenValue(n, n.input(0));
  if (n.rank(0) === 2) return n.output(n.raw(0));
  generic(n);
};

/** Reshapes to [batch, features] (PyTorch's x.view(x.size(0), -1) and friends) are flattens; others stay ONNX ops. */
const reshape: Rule = (n) => {
  const target = n.constant(1);
  if (!target) return generic(n);
  const shape = onnxShape(n.raw(0));
  const features = shape.slice(1).reduce((a, b) => a * b, 1);
  const [first, second] = Array.from(target.values);
  const batchFirst = Number.isNaN(first) || first === 0 || (first === -1 && second === features);
  if (target.values.length === 2 && batchFirst && (second === -1 || second === features)) {
    if (n.raw(0).nhwc) return flattenNhwc(n);
    if (n.rank(0) === 4) return flattenValue(n, n.input(0));
    if (n.rank(0) === 2) return n.output(n.raw(0));
  }
  generic(n);
};

/**
 * The layout Transposes a TensorFlow converter writes (tf2onnx): NHWC -> NCHW after an NHWC input, and NCHW ->
 * NHWC before a Keras Flatten. Neither moves data in the engine (its rank-4 tensors are channels-last already):
 * the value is marked NHWC, and only a Transpose back or a flatten may read it. Any other transpose stays an ONNX op.
 */
const transpose: Rule = (n) => {
  const perm = (ints(n, 'perm') ?? []).join();
  const x = n.raw(0);
  if (x.nhwc && perm === '0,3,1,2') return n.output({ tensor: x.tensor });
  const readers = n.state.consumers.get(n.node.output?.[0] ?? '') ?? [];
  const flattens = (r: (typeof readers)[number]) =>
    (r.op_type === 'Transpose' && r.attribute?.find((a) => a.name === 'perm')?.ints?.join() === '0,3,1,2') ||
    (r.op_type === 'Flatten' && (r.attribute?.find((a) => a.name === 'axis')?.i ?? 1) === 1) ||
    (r.op_type === 'Reshape' && n.state.consts.get(r.input?.[1] ?? '')?.values.length === 2);
  const output = n.node.output?.[0] ?? '';
  if (!x.nhwc && !x.flatOf && n.rank(0) === 4 && perm === '0,2,3,1' && readers.length > 0 && readers.every(flattens) && !n.state.graphOutputs.has(output)) {
    return n.output({ tensor: x.tensor, nhwc: true });
  }
  generic(n);
};

/** Dense kernel [in, out] from ONNX weights [out, in]; rows reordered (h, w, c) when the input was flattened channels-last. */
function denseKernel(x: Value, weights: Float32Array, out: number, inFeatures: number): tf.Tensor {
  const kernel = new Float32Array(inFeatures * out);
  const source = x.flatOf?.tensor.shape as number[] | undefined;
  for (let o = 0; o < out; o++) {
    for (let f = 0; f < inFeatures; f++) {
      let row = f;
      if (source) {
        // ONNX feature f = c * H * W + p; the engine's row for it is p * C + c.
        const [, h, w, c] = source;
        row = (f % (h * w)) * c + Math.floor(f / (h * w));
      }
      kernel[row * out + o] = weights[o * inFeatures + f];
    }
  }
  return tf.tensor2d(kernel, [inFeatures, out]);
}

function dense(
  n: NodeContext,
  weightsOutIn: Float32Array,
  out: number,
  inFeatures: number,
  bias: Float32Array | undefined,
  outputIndexNode: NodeContext,
): void {
  const x = n.raw(0);
  if (x.tensor.shape.length !== 2) throw n.error(`only reads a rank-2 input (batch, features), not rank ${x.tensor.shape.length}`);
  const layer = tfl.layers.dense({ units: out, useBias: bias !== undefined, name: outputIndexNode.layerName() });
  const weights = [denseKernel(x, weightsOutIn, out, inFeatures), ...(bias ? [tf.tensor1d(bias)] : [])];
  outputIndexNode.output({ tensor: n.apply(layer, [x], weights) });
}

const gemm: Rule = (n) => {
  if (num(n, 'transA', 0) !== 0) throw n.error('transA = 1 is not read');
  const b = n.requireConst(1, 'weight');
  const transB = num(n, 'transB', 0) === 1;
  const [rows, cols] = b.dims;
  const [out, inFeatures] = transB ? [rows, cols] : [cols, rows];
  const alpha = num(n, 'alpha', 1);
  const beta = num(n, 'beta', 1);
  const w = new Float32Array(out * inFeatures);
  for (let o = 0; o < out; o++) for (let f = 0; f < inFeatures; f++) w[o * inFeatures + f] = alpha * (transB ? b.values[o * cols + f] : b.values[f * cols + o]);
  const c = n.constant(2);
  const bias = c ? Float32Array.from({ length: out }, (_, o) => beta * c.values[c.values.length === 1 ? 0 : o]) : undefined;
  dense(n, w, out, inFeatures, bias, n);
};

/** MatMul by a constant [in, out]; an Add of a constant [out] right after it becomes the dense layer's bias. */
const matMul: Rule = (n) => {
  const b = n.constant(1);
  if (!b || b.dims.length !== 2 || n.rank(0) !== 2) return generic(n);
  const [inFeatures, out] = b.dims;
  const w = new Float32Array(out * inFeatures);
  for (let o = 0; o < out; o++) for (let f = 0; f < inFeatures; f++) w[o * inFeatures + f] = b.values[f * out + o];
  const readers = n.state.consumers.get(n.node.output![0]) ?? [];
  const add = readers.length === 1 && readers[0].op_type === 'Add' && !n.state.graphOutputs.has(n.node.output![0]) ? readers[0] : undefined;
  const biasName = add?.input?.find((name) => name !== n.node.output![0]);
  const bias = biasName ? n.state.consts.get(biasName) : undefined;
  if (add && bias && bias.values.length === out) {
    n.state.done.add(add);
    return dense(n, w, out, inFeatures, Float32Array.from(bias.values), new NodeContext(n.state, add, {}));
  }
  dense(n, w, out, inFeatures, undefined, n);
};

/** Add, Mul of two tensors of the graph: element-wise merges (SiLU's and squeeze-excitation's Mul included). */
const merge =
  (make: (args: { name: string }) => tfl.layers.Layer): Rule =>
  (n) => {
    if (n.isConst(0) || n.isConst(1) || n.inputs.length !== 2) return generic(n);
    const [p, q] = [n.input(0), n.input(1)];
    if (p.tensor.shape.length !== q.tensor.shape.length) return generic(n);
    n.output({ tensor: n.apply(make({ name: n.layerName() }), [p, q]) });
  };

const concat: Rule = (n) => {
  if (n.inputs.some((_, i) => n.isConst(i))) return generic(n);
  const rank = n.rank(0);
  const axis = num(n, 'axis', 1);
  const channelAxis = axis === 1 || axis === -3 + (rank === 4 ? 0 : 99) || (rank === 2 && axis === -1);
  if (!channelAxis || (rank !== 4 && rank !== 2)) return generic(n);
  const values = n.inputs.map((_, i) => n.input(i));
  if (values.length === 1) return n.output(values[0]);
  n.output({ tensor: n.apply(tfl.layers.concatenate({ axis: -1, name: n.layerName() }), values) });
};

const pad: Rule = (n) => {
  const pads = ints(n, 'pads') ?? (n.constant(1) ? Array.from(n.constant(1)!.values) : undefined);
  const mode = (n.attrs.mode as string | undefined) ?? 'constant';
  const value = (n.attrs.value as number | undefined) ?? n.constant(2)?.values[0] ?? 0;
  if (!pads || n.rank(0) !== 4 || mode !== 'constant' || value !== 0 || [0, 1, 4, 5].some((i) => pads[i] !== 0)) {
    throw n.error(`only zero padding of H and W is read (mode ${mode}, value ${value}, pads [${pads?.join(', ') ?? 'unknown'}])`);
  }
  single(
    n,
    tfl.layers.zeroPadding2d({
      padding: [
        [pads[2], pads[6]],
        [pads[3], pads[7]],
      ],
      name: n.layerName(),
    }),
  );
};

const softmax: Rule = (n) => {
  const rank = n.rank(0);
  const axis = num(n, 'axis', -1);
  if (rank === 2 && (axis === 1 || axis === -1)) return single(n, tfl.layers.softmax({ axis: -1, name: n.layerName() }));
  generic(n);
};

const alias: Rule = (n) => n.output(n.raw(0));

const shape: Rule = (n) => {
  const dims = onnxShape(n.raw(0));
  const start = num(n, 'start', 0);
  const end = (n.attrs.end as number | undefined) ?? dims.length;
  const sliced = dims.slice(start < 0 ? start + dims.length : start, end < 0 ? end + dims.length : end);
  n.outputConst({ dims: [sliced.length], values: Float64Array.from(sliced), integer: true });
};

/** Kept as the ONNX operator itself (folded when every input is a constant). */
export function generic(n: NodeContext): void {
  if (!GENERIC_OPS.has(n.op)) throw n.error('has no rule here');
  const constants = n.inputs.map((_, i) => (n.has(i) ? n.constant(i) : undefined));
  if (n.inputs.every((_, i) => !n.has(i) || n.isConst(i))) {
    foldConstants(n.op, constants, n.attrs).forEach((c, i) => n.outputConst(c, i));
    return;
  }
  const inputs: Value[] = [];
  const slots = n.inputs.map((name, i) => {
    const c = constants[i];
    if (c) return { dims: c.dims, values: Array.from(c.values) };
    if (!n.has(i)) return { dims: [0], values: [] };
    inputs.push(n.input(i));
    return null;
  });
  // Optional inputs left empty are passed as empty constants; kernels treat them as absent.
  const outputs = n.node.output?.length ?? 1;
  const layer = new OnnxOp({ name: n.layerName(), op: n.op, attrs: n.attrs, constants: slots, outputs });
  const out = layer.apply(inputs.map((v) => v.tensor).length === 1 ? inputs[0].tensor : inputs.map((v) => v.tensor));
  (Array.isArray(out) ? out : [out]).forEach((t, i) => n.output({ tensor: t as tfl.SymbolicTensor }, i));
}

const activation =
  (name: string): Rule =>
  (n) =>
    single(n, tfl.layers.activation({ activation: name as never, name: n.layerName() }));

export const RULES: Record<string, Rule> = {
  Conv: conv,
  BatchNormalization: batchNorm,
  Relu: (n) => single(n, tfl.layers.reLU({ name: n.layerName() })),
  Clip: clip,
  LeakyRelu: (n) => single(n, tfl.layers.leakyReLU({ alpha: num(n, 'alpha', 0.01), name: n.layerName() })),
  Sigmoid: activation('sigmoid'),
  Tanh: activation('tanh'),
  HardSigmoid: (n) => single(n, new PointwiseActivation({ fn: 'hardSigmoid', alpha: num(n, 'alpha', 0.2), beta: num(n, 'beta', 0.5), name: n.layerName() })),
  HardSwish: (n) => single(n, new PointwiseActivation({ fn: 'hardSwish', alpha: 1 / 6, beta: 0.5, name: n.layerName() })),
  Mul: merge((args) => tfl.layers.multiply(args)),
  Add: merge((args) => tfl.layers.add(args)),
  Concat: concat,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: (n) => single(n, new GlobalPool2D({ mode: 'avg', name: n.layerName() })),
  GlobalMaxPool: (n) => single(n, new GlobalPool2D({ mode: 'max', name: n.layerName() })),
  ReduceMean: reduceMean,
  Flatten: flatten,
  Reshape: reshape,
  Gemm: gemm,
  MatMul: matMul,
  Pad: pad,
  Dropout: alias,
  Identity: alias,
  Softmax: softmax,
  Shape: shape,
  Transpose: transpose,
};

/** Operators read, for messages and the README. */
export const READ_OPERATORS = [...new Set([...Object.keys(RULES), ...GENERIC_OPS, 'Constant'])].sort();
