import { AttributeType, DataType, type OnnxAttribute, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-proto.js';

export type AttrInput = number | number[] | string | { float: number } | { floats: number[] } | { tensor: OnnxTensor };

/** Builds an ONNX graph node by node: unique tensor names, initializers, attributes typed as ONNX wants. */
export class OnnxWriter {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();

  name(wanted: string): string {
    let name = wanted;
    for (let i = 1; this.used.has(name); i++) name = `${wanted}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node; returns its output names (`outputs` fresh names derived from `base`). */
  node(op: string, inputs: string[], base: string, attrs: Record<string, AttrInput> = {}, outputs = 1): string[] {
    const names = Array.from({ length: outputs }, (_, i) => this.name(outputs === 1 ? `${base}` : `${base}_${i}`));
    this.nodes.push({
      op_type: op,
      name: this.name(`${base}/${op}`),
      input: inputs,
      output: names,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return names;
  }

  floats(base: string, values: ArrayLike<number>, dims: number[]): string {
    const name = this.name(base);
    const data = Float32Array.from(values);
    this.initializers.push({ name, dims, data_type: DataType.FLOAT, raw_data: new Uint8Array(data.buffer) });
    return name;
  }

  int64s(base: string, values: ArrayLike<number>, dims = [values.length]): string {
    const name = this.name(base);
    const max = 2n ** 63n - 1n;
    const data = BigInt64Array.from(Array.from(values), (v) => (v >= 9.2e18 ? max : v <= -9.2e18 ? -max : BigInt(Math.trunc(v))));
    this.initializers.push({ name, dims, data_type: DataType.INT64, raw_data: new Uint8Array(data.buffer) });
    return name;
  }
}

function attribute(name: string, value: AttrInput): OnnxAttribute {
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.TENSOR, t: value.tensor };
}

/** A float tensor's type and shape, the batch axis named 'batch' (dynamic). */
export function valueInfo(name: string, shape: (number | null)[]): OnnxValueInfo {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: DataType.FLOAT,
        shape: { dim: shape.map((d, i) => (i === 0 || d === null ? { dim_param: i === 0 ? 'batch' : `d${i}` } : { dim_value: d })) },
      },
    },
  };
}
