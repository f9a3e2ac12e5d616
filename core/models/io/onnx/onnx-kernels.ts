import * as tf from '@tensorflow/tfjs-core';

/** A node's attributes as plain JSON (kept in layer configs, so saved models rebuild the op). */
export type AttrValue = number | number[] | string | { dims: number[]; values: number[] };
export type Attrs = Record<string, AttrValue>;

/**
 * ONNX operators on tensors in ONNX's own layout (NCHW), for constant folding and for the operators the
 * engine keeps as they are (OnnxOp). Integer tensors are held as float32: shapes and indices fit exactly.
 */
type Kernel = (inputs: (tf.Tensor | undefined)[], attrs: Attrs) => tf.Tensor[];

const ints = (t: tf.Tensor | undefined): number[] => (t ? Array.from(t.dataSync(), Math.round) : []);
const axisOf = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);
const intsOf = (attrs: Attrs, name: string): number[] | undefined => attrs[name] as number[] | undefined;
const one = (t: tf.Tensor): tf.Tensor[] => [t];

const KERNELS: Record<string, Kernel> = {
  Identity: ([x]) => one(x!.clone()),
  Dropout: ([x]) => one(x!.clone()),
  Gather: ([x, indices], a) => {
    const axis = axisOf((a.axis as number) ?? 0, x!.rank);
    const dim = x!.shape[axis];
    const idx = tf.tensor(
      Array.from(indices!.dataSync(), (i) => (i < 0 ? i + dim : i)),
      indices!.shape,
      'int32',
    );
    return one(tf.gather(x!, idx, axis));
  },
  Unsqueeze: ([x, axesInput], a) => {
    const axes = intsOf(a, 'axes') ?? ints(axesInput);
    const rank = x!.rank + axes.length;
    let out = x!;
    for (const axis of axes.map((v) => axisOf(v, rank)).sort((p, q) => p - q)) out = tf.expandDims(out, axis);
    return one(out);
  },
  Squeeze: ([x, axesInput], a) => {
    const axes = intsOf(a, 'axes') ?? (axesInput ? ints(axesInput) : undefined);
    return one(
      tf.squeeze(
        x!,
        axes?.map((v) => axisOf(v, x!.rank)),
      ),
    );
  },
  Concat: (inputs, a) => {
    const list = inputs.filter((t): t is tf.Tensor => t !== undefined && t.size > 0);
    return one(list.length === 1 ? list[0].clone() : tf.concat(list, axisOf(a.axis as number, list[0].rank)));
  },
  Reshape: ([x, shape]) => one(tf.reshape(x!, reshapeTarget(x!.shape, ints(shape)))),
  Flatten: ([x], a) => {
    const axis = axisOf((a.axis as number) ?? 1, x!.rank);
    const outer = x!.shape.slice(0, axis).reduce((p, q) => p * q, 1);
    return one(tf.reshape(x!, [outer, x!.size / outer]));
  },
  Transpose: ([x], a) => one(tf.transpose(x!, intsOf(a, 'perm') ?? [...x!.shape.keys()].reverse())),
  Slice: ([x, starts, ends, axesInput, stepsInput], a) => {
    const s = intsOf(a, 'starts') ?? numbers(starts);
    const e = intsOf(a, 'ends') ?? numbers(ends);
    const axes = intsOf(a, 'axes') ?? (axesInput ? ints(axesInput) : s.map((_, i) => i));
    const steps = stepsInput ? ints(stepsInput) : s.map(() => 1);
    return one(slice(x!, s, e, axes, steps));
  },
  Split: ([x, splitInput], a) => {
    const axis = axisOf((a.axis as number) ?? 0, x!.rank);
    const sizes = intsOf(a, 'split') ?? (splitInput ? ints(splitInput) : undefined);
    return tf.split(x!, sizes ?? (a.numOutputs as number), axis);
  },
  Cast: ([x], a) => one([6, 7, 2, 3, 9].includes(a.to as number) ? tf.tidy(() => tf.mul(tf.sign(x!), tf.floor(tf.abs(x!)))) : x!.clone()),
  ConstantOfShape: ([shape], a) => {
    const value = a.value as { values: number[] } | undefined;
    return one(tf.fill(ints(shape), value?.values[0] ?? 0));
  },
  Add: ([p, q]) => one(tf.add(p!, q!)),
  Sub: ([p, q]) => one(tf.sub(p!, q!)),
  Mul: ([p, q]) => one(tf.mul(p!, q!)),
  Div: ([p, q]) => one(tf.div(p!, q!)),
  Relu: ([x]) => one(tf.relu(x!)),
  Sigmoid: ([x]) => one(tf.sigmoid(x!)),
  Tanh: ([x]) => one(tf.tanh(x!)),
  Softmax: ([x], a) => {
    const axis = axisOf((a.axis as number) ?? -1, x!.rank);
    const moved = axis === x!.rank - 1 ? x! : tf.transpose(x!, swapLast(x!.rank, axis));
    const soft = tf.softmax(moved);
    return one(axis === x!.rank - 1 ? soft : tf.transpose(soft, swapLast(x!.rank, axis)));
  },
  ReduceMean: ([x, axesInput], a) => {
    const axes = intsOf(a, 'axes') ?? ints(axesInput);
    return one(
      tf.mean(
        x!,
        axes.map((v) => axisOf(v, x!.rank)),
        ((a.keepdims as number) ?? 1) === 1,
      ),
    );
  },
};

export const GENERIC_OPS: ReadonlySet<string> = new Set(Object.keys(KERNELS));

/**
 * The operator's ONNX name: tfjs writes string config values in snake_case when it saves a model
 * ('ReduceMean' -> 'reduce_mean' -> 'reduceMean' when read back), so names are matched without case.
 */
export function canonicalOp(op: string): string {
  const plain = op.replace(/_/g, '').toLowerCase();
  return Object.keys(KERNELS).find((k) => k.toLowerCase() === plain) ?? op;
}

export function runKernel(op: string, inputs: (tf.Tensor | undefined)[], attrs: Attrs): tf.Tensor[] {
  const kernel = KERNELS[canonicalOp(op)];
  if (!kernel) throw new Error(`no kernel for ONNX ${op}`);
  return kernel(inputs, attrs);
}

/** ONNX Reshape's target: 0 copies the input's dimension, -1 takes what is left. */
export function reshapeTarget(inShape: number[], target: number[]): number[] {
  const out = target.map((d, i) => (d === 0 ? inShape[i] : d));
  const known = out.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const total = inShape.reduce((p, d) => p * d, 1);
  return out.map((d) => (d === -1 ? total / known : d));
}

function numbers(t: tf.Tensor | undefined): number[] {
  return t ? Array.from(t.dataSync()) : [];
}

function swapLast(rank: number, axis: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[axis], perm[rank - 1]] = [perm[rank - 1], perm[axis]];
  return perm;
}

/** ONNX Slice: starts and ends clamped to the dimension, negative ones counted from the end. */
function slice(x: tf.Tensor, starts: number[], ends: number[], axes: number[], steps: number[]): tf.Tensor {
  const begin = x.shape.map(() => 0);
  const end = [...x.shape];
  const strides = x.shape.map(() => 1);
  let endMask = 0;
  axes.forEach((rawAxis, i) => {
    const axis = axisOf(rawAxis, x.rank);
    const dim = x.shape[axis];
    const step = steps[i] ?? 1;
    const clampStart = (v: number) => (v < 0 ? v + dim : v);
    let s = clampStart(starts[i]);
    let e = ends[i] < 0 && Number.isFinite(ends[i]) ? ends[i] + dim : ends[i];
    if (step > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
      if (e === -1) endMask |= 1 << axis;
    }
    begin[axis] = s;
    end[axis] = e;
    strides[axis] = step;
  });
  return tf.stridedSlice(x, begin, end, strides, 0, endMask);
}
