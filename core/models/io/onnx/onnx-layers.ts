import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { runKernel, type Attrs } from './onnx-kernels.js';

/**
 * Layers for ONNX operators that tfjs-layers lacks. All tensors of rank 4 are channels-last in the engine;
 * these layers take and give them so. Config keys and string values are camelCase with no underscores:
 * tfjs turns snake_case into camelCase when it reads a saved config.
 */

type Shape = (number | null)[];
const toNchw = (t: tf.Tensor) => (t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t);
const toNhwc = (t: tf.Tensor) => (t.rank === 4 ? tf.transpose(t, [0, 2, 3, 1]) : t);
const list = (x: tf.Tensor | tf.Tensor[]) => (Array.isArray(x) ? x : [x]);

interface ConstInput {
  dims: number[];
  values: number[];
}

interface OnnxOpArgs {
  name?: string;
  op: string;
  attrs: Attrs;
  /** One entry per ONNX input: a constant, or null where a layer input (in order) goes. */
  constants: (ConstInput | null)[];
  outputs: number;
}

/**
 * An ONNX operator kept as it is (a channel shuffle's Reshape and Transpose, a Split, a Slice...): it runs in
 * ONNX's own layout. The channel graph has no rule for it, so it blocks pruning through it. NaN in a constant
 * stands for the batch size (folded from Shape on a dynamic batch axis).
 */
export class OnnxOp extends tfl.layers.Layer {
  static readonly className = 'OnnxOp';
  readonly op: string;
  readonly attrs: Attrs;
  readonly constants: (ConstInput | null)[];
  readonly outputs: number;

  constructor(args: OnnxOpArgs) {
    super({ name: args.name });
    this.op = args.op;
    this.attrs = args.attrs;
    this.constants = args.constants;
    this.outputs = args.outputs;
  }

  private run(inputs: tf.Tensor[]): tf.Tensor[] {
    const batch = inputs[0]?.shape[0] ?? 1;
    let next = 0;
    const all = this.constants.map((c) => {
      if (c === null) return toNchw(inputs[next++]);
      // NaN (or null, once a saved model went through JSON) is the batch size.
      return tf.tensor(
        c.values.map((v) => (v === null || Number.isNaN(v) ? batch : v)),
        c.dims,
      );
    });
    return runKernel(this.op, all, this.attrs).map(toNhwc);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    const shapes = (Array.isArray(inputShape[0]) || inputShape.length === 0 ? inputShape : [inputShape]) as Shape[];
    const results = tf.tidy(() => this.run(shapes.map((s) => tf.zeros(s.map((d) => d ?? 1)))));
    const shapesOut = results.map((t) => [null, ...t.shape.slice(1)]);
    tf.dispose(results);
    return this.outputs === 1 ? shapesOut[0] : shapesOut;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const out = this.run(list(inputs));
      return this.outputs === 1 ? out[0] : out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), op: this.op, attrs: this.attrs as never, constants: this.constants as never, outputs: this.outputs };
  }
}

interface GroupedConvArgs {
  name?: string;
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  dilationRate: [number, number];
  padding: 'valid' | 'same';
  groups: number;
  useBias: boolean;
}

/** A convolution whose input and output channels split into `groups` independent convolutions (kernel [kh, kw, in / groups, out]). */
export class GroupedConv2D extends tfl.layers.Layer {
  static readonly className = 'GroupedConv2D';
  readonly args: GroupedConvArgs;
  private kernel?: tfl.LayerVariable;
  private bias?: tfl.LayerVariable;

  constructor(args: GroupedConvArgs) {
    super({ name: args.name });
    this.args = { ...args };
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const { kernelSize, groups, filters } = this.args;
    this.kernel = this.addWeight('kernel', [...kernelSize, (shape[3] as number) / groups, filters], 'float32', tfl.initializers.glorotUniform({}));
    if (this.args.useBias) this.bias = this.addWeight('bias', [filters], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const { kernelSize, strides, dilationRate, padding, filters } = this.args;
    const size = (n: number | null, i: number) => {
      if (n === null) return null;
      if (padding === 'same') return Math.ceil(n / strides[i]);
      return Math.floor((n - (kernelSize[i] - 1) * dilationRate[i] - 1) / strides[i]) + 1;
    };
    return [shape[0], size(shape[1], 0), size(shape[2], 1), filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = list(inputs)[0] as tf.Tensor4D;
      const { groups, strides, padding, dilationRate } = this.args;
      const xs = tf.split(x, groups, 3);
      const ks = tf.split(this.kernel!.read() as tf.Tensor4D, groups, 3);
      const ys = xs.map((part, g) => tf.conv2d(part as tf.Tensor4D, ks[g] as tf.Tensor4D, strides, padding, 'NHWC', dilationRate));
      const y = tf.concat(ys, 3);
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args, name: this.name };
  }
}

interface PoolArgs {
  name?: string;
  mode: 'max' | 'avg';
  poolSize: [number, number];
  strides: [number, number];
  /** [top, left, bottom, right], as ONNX's pads. */
  pads: [number, number, number, number];
  ceilMode: boolean;
  countIncludePad: boolean;
}

/** ONNX MaxPool/AveragePool with explicit (possibly uneven) padding and ceil mode, which tfjs's 'same' cannot express. */
export class OnnxPool2D extends tfl.layers.Layer {
  static readonly className = 'OnnxPool2D';
  readonly args: PoolArgs;

  constructor(args: PoolArgs) {
    super({ name: args.name });
    this.args = { ...args };
  }

  /** Output size and the extra end padding ceil mode needs (windows starting in the padded input only). */
  private geometry(n: number, i: number): { out: number; extra: number } {
    const { poolSize, strides, pads, ceilMode } = this.args;
    const padded = n + pads[i] + pads[i + 2];
    const span = (padded - poolSize[i]) / strides[i];
    let out = (ceilMode ? Math.ceil(span) : Math.floor(span)) + 1;
    if (ceilMode && (out - 1) * strides[i] >= n + pads[i]) out -= 1;
    return { out, extra: Math.max(0, (out - 1) * strides[i] + poolSize[i] - padded) };
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const size = (n: number | null, i: number) => (n === null ? null : this.geometry(n, i).out);
    return [shape[0], size(shape[1], 0), size(shape[2], 1), shape[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = list(inputs)[0] as tf.Tensor4D;
      const { mode, poolSize, strides, pads, countIncludePad } = this.args;
      const h = this.geometry(x.shape[1], 0);
      const w = this.geometry(x.shape[2], 1);
      const padding: [number, number][] = [
        [0, 0],
        [pads[0], pads[2] + h.extra],
        [pads[1], pads[3] + w.extra],
        [0, 0],
      ];
      if (mode === 'max') return tf.maxPool(tf.pad(x, padding, -Infinity) as tf.Tensor4D, poolSize, strides, 'valid');
      const sums = tf.avgPool(tf.pad(x, padding) as tf.Tensor4D, poolSize, strides, 'valid');
      // Each window's share of positions that count: the input, plus the explicit pads with count_include_pad,
      // never ceil mode's overhang (as PyTorch and ONNX Runtime count).
      const explicit: [number, number][] = [
        [0, 0],
        [pads[0], pads[2]],
        [pads[1], pads[3]],
        [0, 0],
      ];
      const mask = tf.pad(tf.pad(tf.ones([1, x.shape[1], x.shape[2], 1]), explicit, countIncludePad ? 1 : 0), [
        [0, 0],
        [0, h.extra],
        [0, w.extra],
        [0, 0],
      ]);
      const counts = tf.avgPool(mask as tf.Tensor4D, poolSize, strides, 'valid');
      return tf.div(sums, counts);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args, name: this.name };
  }
}

/** Global average or max over H and W, keeping them as 1 x 1 (ONNX GlobalAveragePool, ReduceMean keepdims). */
export class GlobalPool2D extends tfl.layers.Layer {
  static readonly className = 'GlobalPool2D';
  readonly mode: 'avg' | 'max';

  constructor(args: { name?: string; mode: 'avg' | 'max' }) {
    super({ name: args.name });
    this.mode = args.mode;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [shape[0], 1, 1, shape[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = list(inputs)[0];
    return this.mode === 'avg' ? tf.mean(x, [1, 2], true) : tf.max(x, [1, 2], true);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}

type ActivationFn = 'hardSigmoid' | 'hardSwish' | 'clip';

/** Element-wise functions with parameters tfjs's activations lack: hard sigmoid max(0, min(1, alpha x + beta)), hard swish, clip. */
export class PointwiseActivation extends tfl.layers.Layer {
  static readonly className = 'PointwiseActivation';
  readonly fn: ActivationFn;
  readonly alpha: number;
  readonly beta: number;
  readonly low: number;
  readonly high: number;

  constructor(args: { name?: string; fn: ActivationFn; alpha?: number; beta?: number; low?: number; high?: number }) {
    super({ name: args.name });
    this.fn = args.fn;
    this.alpha = args.alpha ?? 1 / 6;
    this.beta = args.beta ?? 0.5;
    this.low = args.low ?? -3.4e38;
    this.high = args.high ?? 3.4e38;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = list(inputs)[0];
      if (this.fn === 'clip') return tf.clipByValue(x, this.low, this.high);
      const gate = tf.clipByValue(tf.add(tf.mul(x, this.alpha), this.beta), 0, 1);
      return this.fn === 'hardSigmoid' ? gate : tf.mul(x, gate);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), fn: this.fn, alpha: this.alpha, beta: this.beta, low: this.low, high: this.high };
  }
}

for (const cls of [OnnxOp, GroupedConv2D, OnnxPool2D, GlobalPool2D, PointwiseActivation]) tf.serialization.registerClass(cls);
