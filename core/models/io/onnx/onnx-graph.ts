import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { OnnxNodeError } from './onnx-errors.js';
import { runKernel, type Attrs } from './onnx-kernels.js';
import { OnnxOp } from './onnx-layers.js';
import type { OnnxNode } from './onnx-proto.js';
import type { ConstTensor } from './onnx-tensors.js';

/**
 * A tensor of the ONNX graph as the engine holds it. Rank-4 tensors are channels-last (ONNX's NCHW
 * transposed); every other rank keeps ONNX's axes. `flatOf` marks a flatten of a rank-4 tensor done
 * channels-last: its features are ordered (h, w, c), not ONNX's (c, h, w).
 */
export interface Value {
  tensor: tfl.SymbolicTensor;
  flatOf?: Value;
  /**
   * An ONNX rank-4 tensor in NHWC order (TensorFlow converters such as tf2onnx: the graph input, and the
   * Transpose back before a Keras Flatten): the engine tensor holds it exactly as ONNX does, which is also the
   * engine's layout of the NCHW tensor it transposes.
   */
  nhwc?: boolean;
}

/** NaN in a folded shape stands for the (dynamic) batch size. */
export const BATCH = NaN;

/** The ONNX shape of a value: rank 4 back to NCHW, the batch axis as BATCH. */
export function onnxShape(value: Value): number[] {
  if (value.nhwc) return value.tensor.shape.map((d, i) => (i === 0 || d === null ? BATCH : d));
  if (value.flatOf) return [BATCH, value.tensor.shape.slice(1).reduce((a: number, b) => a * (b ?? 1), 1)];
  const s = value.tensor.shape.map((d, i) => (i === 0 || d === null ? BATCH : d));
  return s.length === 4 ? [s[0], s[3], s[1], s[2]] : s;
}

/** State of one conversion: values by ONNX name, constants, layer names, and the weights to set. */
export class GraphState {
  readonly values = new Map<string, Value>();
  readonly consts = new Map<string, ConstTensor>();
  readonly consumers = new Map<string, OnnxNode[]>();
  /** Nodes already converted by a rule that looked ahead (MatMul takes the Add of its bias). */
  readonly done = new Set<OnnxNode>();
  readonly graphOutputs: Set<string>;
  private readonly names = new Set<string>();
  private readonly flattened = new Map<Value, Value>();

  constructor(
    readonly file: string,
    nodes: OnnxNode[],
    outputs: string[],
  ) {
    this.graphOutputs = new Set(outputs);
    for (const node of nodes) for (const input of node.input ?? []) this.consumers.set(input, [...(this.consumers.get(input) ?? []), node]);
  }

  /** A unique, valid layer name; the graph's output names are kept where a layer makes an output. */
  uniqueName(wanted: string): string {
    let base = wanted.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9_.-]/g, '_') || 'layer';
    if (!/^[A-Za-z]/.test(base)) base = `n${base}`;
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** A value in ONNX's feature order: undoes a channels-last flatten for readers other than a dense layer. */
  ordered(value: Value, file: string): Value {
    if (value.nhwc) {
      // Readers other than the rules that know NHWC values get the tensor as ONNX holds it.
      const cached = this.flattened.get(value);
      if (cached) return cached;
      const op = new OnnxOp({
        name: this.uniqueName(`${value.tensor.sourceLayer.name}_nhwc`),
        op: 'Transpose',
        attrs: { perm: [0, 2, 3, 1] },
        constants: [null],
        outputs: 1,
      });
      const out = { tensor: op.apply(value.tensor) as tfl.SymbolicTensor };
      this.flattened.set(value, out);
      return out;
    }
    if (!value.flatOf) return value;
    const cached = this.flattened.get(value);
    if (cached) return cached;
    const op = new OnnxOp({ name: this.uniqueName(`${value.tensor.sourceLayer.name}_nchw`), op: 'Flatten', attrs: { axis: 1 }, constants: [null], outputs: 1 });
    const out = { tensor: op.apply(value.flatOf.tensor) as tfl.SymbolicTensor };
    this.flattened.set(value, out);
    void file;
    return out;
  }
}

/** One node being converted: its inputs as values or constants, and how to emit its layers. */
export class NodeContext {
  readonly name: string;
  readonly op: string;

  constructor(
    readonly state: GraphState,
    readonly node: OnnxNode,
    readonly attrs: Attrs,
  ) {
    this.op = node.op_type;
    this.name = node.name || `${node.op_type}_${node.output?.[0] ?? ''}`;
  }

  get inputs(): string[] {
    return this.node.input ?? [];
  }

  has(i: number): boolean {
    return (this.inputs[i] ?? '') !== '';
  }

  isConst(i: number): boolean {
    return this.state.consts.has(this.inputs[i]);
  }

  constant(i: number): ConstTensor | undefined {
    return this.has(i) ? this.state.consts.get(this.inputs[i]) : undefined;
  }

  requireConst(i: number, what: string): ConstTensor {
    const c = this.constant(i);
    if (!c) throw this.error(`its ${what} (input ${i}, '${this.inputs[i] ?? ''}') must be a constant (an initializer or folded from constants)`);
    return c;
  }

  /** Input i as the engine holds it, flatten order marks included (for rules that understand them). */
  raw(i: number): Value {
    const value = this.state.values.get(this.inputs[i]);
    if (!value) throw this.error(`its input '${this.inputs[i]}' is not produced by any node before it`);
    return value;
  }

  /** Input i in ONNX's feature order. */
  input(i: number): Value {
    return this.state.ordered(this.raw(i), this.state.file);
  }

  rank(i: number): number {
    return this.raw(i).tensor.shape.length;
  }

  /** The layer name for this node: the module path of its weights when it has them ('layer1.0.conv1'). */
  layerName(suffix = ''): string {
    const out = this.node.output?.[0];
    if (!suffix && out && this.state.graphOutputs.has(out)) return this.state.uniqueName(out);
    const weight = this.inputs.find((name, i) => i > 0 && this.state.consts.has(name) && /\.(weight|bias)$/.test(name));
    const base = weight ? weight.replace(/\.(weight|bias)$/, '') : this.name.replace(/^\//, '');
    return this.state.uniqueName(base + suffix);
  }

  /** Applies a layer to values and sets its weights. */
  apply(layer: tfl.layers.Layer, inputs: Value[], weights?: tf.Tensor[]): tfl.SymbolicTensor {
    const tensors = inputs.map((v) => v.tensor);
    const out = layer.apply(tensors.length === 1 ? tensors[0] : tensors) as tfl.SymbolicTensor;
    if (weights) {
      layer.setWeights(weights);
      tf.dispose(weights);
    }
    return out;
  }

  output(value: Value, i = 0): void {
    const name = this.node.output?.[i];
    if (name) this.state.values.set(name, value);
  }

  outputConst(value: ConstTensor, i = 0): void {
    const name = this.node.output?.[i];
    if (name) this.state.consts.set(name, value);
  }

  error(detail: string): OnnxNodeError {
    return new OnnxNodeError(this.state.file, this.name, this.op, detail);
  }
}

/** Runs an ONNX kernel on constants (constant folding); BATCH survives as NaN. */
export function foldConstants(op: string, inputs: (ConstTensor | undefined)[], attrs: Attrs): ConstTensor[] {
  const integer = inputs.some((c) => c?.integer) && !inputs.some((c) => c && !c.integer);
  const results = tf.tidy(() =>
    runKernel(
      op,
      inputs.map((c) => (c ? tf.tensor(Float32Array.from(c.values), c.dims) : undefined)),
      attrs,
    ),
  );
  // Integer arithmetic truncates (ONNX's Div of int64); BATCH (NaN) stays NaN.
  const folded = results.map((t) => ({ dims: t.shape, values: Float64Array.from(t.dataSync(), (v) => (integer ? Math.trunc(v) : v)), integer }));
  tf.dispose(results);
  return folded;
}

/** Keras weights from an ONNX constant: `permute` reorders the values, `shape` is the result's shape. */
export function weightTensor(values: ArrayLike<number>, shape: number[]): tf.Tensor {
  return tf.tensor(Float32Array.from(values), shape, 'float32');
}
