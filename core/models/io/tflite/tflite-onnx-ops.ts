import { canonicalOp } from '../onnx/onnx-kernels.js';
import type { Shape, TfliteGraph } from './tflite-builder.js';
import type { LayerExport, TfliteRule } from './tflite-export-rules.js';

/** A tensor in ONNX's layout (NCHW at rank 4) while an OnnxOp's operators run, with its shape. */
interface Value {
  tensor: number;
  shape: Shape;
}
type Constant = { dims: number[]; values: (number | null)[] } | null;
type Write = (g: TfliteGraph, name: string, x: Value, constants: Constant[], attrs: Record<string, unknown>, outShapes: Shape[]) => number[];

const nchw = (s: Shape): Shape => (s.length === 4 ? [s[0], s[3], s[1], s[2]] : s);
const intsOf = (c: Constant | undefined) => (c ? c.values.map((v) => Math.round(Number(v))) : undefined);
const axisOf = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** The ONNX operators (kept as they are by the importer) that TFLite operators write exactly. */
const WRITERS: Record<string, Write> = {
  Identity: (_g, _n, x) => [x.tensor],
  Dropout: (_g, _n, x) => [x.tensor],
  // The target comes from the shape the engine computed (a constant may hold the batch size as NaN): batch -1.
  Reshape: (g, name, x, _c, _a, [out]) => reshapeTo(g, name, x.tensor, out),
  Flatten: (g, name, x, _c, _a, [out]) => reshapeTo(g, name, x.tensor, out),
  Transpose: (g, name, x, _c, attrs, [out]) => {
    const perm = (attrs.perm as number[] | undefined) ?? [...x.shape.keys()].reverse();
    const y = g.activation(name, out);
    g.op('TRANSPOSE', [x.tensor, g.ints(`${name}/perm`, perm)], [y], 'TransposeOptions', {});
    return [y];
  },
  Slice: (g, name, x, constants, attrs, [out]) => {
    const rank = x.shape.length;
    const starts = (attrs.starts as number[] | undefined) ?? intsOf(constants[1])!;
    const ends = (attrs.ends as number[] | undefined) ?? intsOf(constants[2])!;
    const axes = (attrs.axes as number[] | undefined) ?? intsOf(constants[3]) ?? starts.map((_, i) => i);
    const steps = intsOf(constants[4]) ?? starts.map(() => 1);
    const begin = new Array<number>(rank).fill(0);
    const end = x.shape.map((d) => d ?? 0);
    const strides = new Array<number>(rank).fill(1);
    axes.forEach((raw, i) => {
      const axis = axisOf(raw, rank);
      const dim = x.shape[axis] as number;
      const at = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
      begin[axis] = at(starts[i]);
      end[axis] = at(ends[i]);
      strides[axis] = steps[i];
    });
    const y = g.activation(name, out);
    g.op(
      'STRIDED_SLICE',
      [x.tensor, g.ints(`${name}/begin`, begin), g.ints(`${name}/end`, end), g.ints(`${name}/strides`, strides)],
      [y],
      'StridedSliceOptions',
      { begin_mask: 1, end_mask: 1 }, // the batch axis whole
    );
    return [y];
  },
  Split: (g, name, x, constants, attrs, outs) => {
    const axis = axisOf((attrs.axis as number | undefined) ?? 0, x.shape.length);
    const sizes = (attrs.split as number[] | undefined) ?? intsOf(constants[1]) ?? outs.map((s) => s[axis] as number);
    const ys = outs.map((s, i) => g.activation(`${name}:${i}`, s));
    g.op('SPLIT_V', [x.tensor, g.ints(`${name}/sizes`, sizes), g.ints(`${name}/axis`, [axis], [])], ys, 'SplitVOptions', { num_splits: outs.length });
    return ys;
  },
};

function reshapeTo(g: TfliteGraph, name: string, x: number, out: Shape): number[] {
  const y = g.activation(name, out);
  g.op('RESHAPE', [x, g.ints(`${name}/shape`, [-1, ...out.slice(1).map((d) => d as number)])], [y], 'ReshapeOptions', {});
  return [y];
}

/** Why an ONNX operator kept by the importer cannot be written, or undefined when it can. */
function check(op: string, attrs: Record<string, unknown>, constants: Constant[]): string | undefined {
  if (!WRITERS[op]) return `is the ONNX operator ${op}, kept as it is, which has no TFLite operator here`;
  if (op === 'Slice') {
    const axes = (attrs.axes as number[] | undefined) ?? intsOf(constants[3]) ?? [0];
    const steps = intsOf(constants[4]) ?? [1];
    if (axes.some((a) => a === 0) || steps.some((s) => s <= 0)) return 'slices the batch axis or steps backwards, which is not written to TFLite here';
  }
  return constants.filter((c) => c === null).length === 1 ? undefined : 'reads several tensors, which is not written to TFLite here';
}

/**
 * An ONNX operator the importer kept (a channel shuffle's Reshape and Transpose, ShuffleNet's Split or Slice):
 * its input goes to ONNX's layout (NCHW at rank 4) as the engine runs it, the operator is written as the
 * TFLite operator that computes the same, and rank-4 outputs come back to NHWC.
 */
export const onnxOpRule: TfliteRule = {
  check: (config) => check(canonicalOp(String(config.op)), (config.attrs ?? {}) as Record<string, unknown>, (config.constants ?? []) as Constant[]),
  write: (e: LayerExport) => {
    const { graph: g, layer } = e;
    // A model rebuilt from JSON (batch norms folded) has its op names lowercased by tfjs: canonicalOp puts them back.
    const config = layer.getConfig() as { op: string; attrs?: Record<string, unknown>; constants?: Constant[] };
    const [input] = e.inputs;
    const x: Value = { tensor: input.tensor, shape: nchw(input.shape) };
    if (input.shape.length === 4) {
      x.tensor = g.activation(`${layer.name}/nchw`, x.shape);
      g.op('TRANSPOSE', [input.tensor, g.ints(`${layer.name}/to_nchw`, [0, 3, 1, 2])], [x.tensor], 'TransposeOptions', {});
    }
    const outShapes = e.outputShapes.map(nchw);
    const four = outShapes.map((s) => s.length === 4);
    const name = four.some(Boolean) ? `${layer.name}/onnx` : layer.name;
    const ys = WRITERS[canonicalOp(config.op)](g, name, x, config.constants ?? [], config.attrs ?? {}, outShapes);
    return ys.map((y, i) => {
      if (!four[i]) return y;
      const z = g.activation(i ? `${layer.name}:${i}` : layer.name, e.outputShapes[i]);
      g.op('TRANSPOSE', [y, g.ints(`${layer.name}/to_nhwc${i}`, [0, 2, 3, 1])], [z], 'TransposeOptions', {});
      return z;
    });
  },
};
