import { Builder } from 'flatbuffers';
import { TFLITE_ENUMS, TFLITE_TABLES, TFLITE_UNIONS, type FieldKind } from './tflite-schema.js';

type Tables = typeof TFLITE_TABLES;
export type OperatorName = keyof (typeof TFLITE_ENUMS)['BuiltinOperator'];
export type OptionsName = keyof (typeof TFLITE_UNIONS)['BuiltinOptions'] & keyof Tables;
/** A table's fields by their schema names: numbers for scalars and enums, offsets for strings, vectors and tables. */
type Fields<T extends keyof Tables> = Partial<Record<keyof Tables[T], number | boolean>>;

/** The tensor shapes of one activation: its batch (the first axis) is 1 in `shape` and -1 in the signature. */
export type Shape = (number | null)[];

interface TensorSpec {
  name: string;
  shape: number[];
  signature?: number[];
  type: 'FLOAT32' | 'INT32';
  buffer: number;
}

interface OperatorSpec {
  opcode: number;
  inputs: number[];
  outputs: number[];
  options?: { name: OptionsName; fields: Record<string, number | boolean> };
}

/** A table written through the slots and scalar kinds the pinned schema gives its fields. */
function table<T extends keyof Tables>(b: Builder, name: T, fields: Fields<T>): number {
  const schema = TFLITE_TABLES[name] as Record<string, readonly [number, FieldKind]>;
  b.startObject(Object.keys(schema).length === 0 ? 0 : Math.max(...Object.values(schema).map(([slot]) => slot)) + 1);
  for (const [field, value] of Object.entries(fields) as [string, number | boolean | undefined][]) {
    if (value === undefined) continue;
    const entry = schema[field];
    if (!entry) throw new Error(`TFLite schema: table ${String(name)} has no field '${field}'`);
    const [slot, kind] = entry;
    const v = Number(value);
    if (kind === 'offset') b.addFieldOffset(slot, v, 0);
    else if (kind === 'bool' || kind === 'int8' || kind === 'uint8') b.addFieldInt8(slot, v, null);
    else if (kind === 'int16' || kind === 'uint16') b.addFieldInt16(slot, v, null);
    else if (kind === 'int32' || kind === 'uint32') b.addFieldInt32(slot, v, null);
    else if (kind === 'int64' || kind === 'uint64') b.addFieldInt64(slot, BigInt(v), null);
    else if (kind === 'float32') b.addFieldFloat32(slot, v, null);
    else b.addFieldFloat64(slot, v, null);
  }
  return b.endObject();
}

function int32Vector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function offsetVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

/** A buffer's bytes, 16-aligned as the schema asks (`force_align: 16`), written a 32-bit word at a time. */
function dataVector(b: Builder, bytes: Uint8Array): number {
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  b.startVector(1, bytes.byteLength, 16);
  for (let i = words.length - 1; i >= 0; i--) b.addInt32(words[i]);
  return b.endVector();
}

/**
 * One TFLite subgraph built tensor by tensor and operator by operator, then written as a `.tflite` file
 * (schema version 3, file identifier TFL3) through the `flatbuffers` Builder.
 */
export class TfliteGraph {
  private readonly tensors: TensorSpec[] = [];
  private readonly buffers: Uint8Array[] = [new Uint8Array(0)];
  private readonly opcodes: number[] = [];
  private readonly operators: OperatorSpec[] = [];
  private readonly used = new Set<string>();

  private unique(wanted: string): string {
    let name = wanted;
    for (let i = 1; this.used.has(name); i++) name = `${wanted}_${i}`;
    this.used.add(name);
    return name;
  }

  /** An activation tensor: a dynamic batch (1 in the shape, -1 in the signature), other axes as given. */
  activation(name: string, shape: Shape): number {
    const dims = shape.slice(1).map((d) => d ?? 1);
    this.tensors.push({ name: this.unique(name), shape: [1, ...dims], signature: [-1, ...dims], type: 'FLOAT32', buffer: 0 });
    return this.tensors.length - 1;
  }

  /** A float32 constant (weights, biases, scales). */
  floats(name: string, values: ArrayLike<number>, shape: number[]): number {
    const data = Float32Array.from(values);
    return this.constant(name, shape, 'FLOAT32', new Uint8Array(data.buffer));
  }

  /** An int32 constant (shapes, axes, paddings). */
  ints(name: string, values: number[], shape = [values.length]): number {
    return this.constant(name, shape, 'INT32', new Uint8Array(Int32Array.from(values).buffer));
  }

  private constant(name: string, shape: number[], type: TensorSpec['type'], bytes: Uint8Array): number {
    this.buffers.push(bytes);
    this.tensors.push({ name: this.unique(name), shape, type, buffer: this.buffers.length - 1 });
    return this.tensors.length - 1;
  }

  /** A builtin operator reading `inputs` and writing `outputs` (tensor indices), with its options table. */
  op(operator: OperatorName, inputs: number[], outputs: number[], options?: OptionsName, fields: Record<string, number | boolean> = {}): void {
    const code = TFLITE_ENUMS.BuiltinOperator[operator];
    let opcode = this.opcodes.indexOf(code);
    if (opcode < 0) opcode = this.opcodes.push(code) - 1;
    this.operators.push({ opcode, inputs, outputs, options: options && { name: options, fields } });
  }

  /** The `.tflite` file: one subgraph named `name`, reading `inputs` and giving `outputs`. */
  finish(name: string, inputs: number[], outputs: number[], description: string): Uint8Array {
    const total = this.buffers.reduce((sum, b) => sum + b.byteLength, 0);
    const b = new Builder(total + 1024 * 1024);
    const buffers = this.buffers.map((bytes) => table(b, 'Buffer', bytes.byteLength ? { data: dataVector(b, bytes) } : {}));
    const tensors = this.tensors.map((t) =>
      table(b, 'Tensor', {
        shape: int32Vector(b, t.shape),
        shape_signature: t.signature && int32Vector(b, t.signature),
        type: TFLITE_ENUMS.TensorType[t.type],
        buffer: t.buffer,
        name: b.createString(t.name),
        has_rank: true,
      }),
    );
    const operators = this.operators.map((o) => {
      const options = o.options && table(b, o.options.name, o.options.fields as Fields<OptionsName>);
      return table(b, 'Operator', {
        opcode_index: o.opcode,
        inputs: int32Vector(b, o.inputs),
        outputs: int32Vector(b, o.outputs),
        builtin_options_type: o.options ? TFLITE_UNIONS.BuiltinOptions[o.options.name] : undefined,
        builtin_options: options,
      });
    });
    const subgraph = table(b, 'SubGraph', {
      tensors: offsetVector(b, tensors),
      inputs: int32Vector(b, inputs),
      outputs: int32Vector(b, outputs),
      operators: offsetVector(b, operators),
      name: b.createString(name),
    });
    // Codes past 127 live only in builtin_code; the old byte field then holds the placeholder.
    const codes = this.opcodes.map((code) =>
      table(b, 'OperatorCode', {
        deprecated_builtin_code: Math.min(code, TFLITE_ENUMS.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES),
        builtin_code: code,
        version: 1,
      }),
    );
    const model = table(b, 'Model', {
      version: 3,
      operator_codes: offsetVector(b, codes),
      subgraphs: offsetVector(b, [subgraph]),
      description: b.createString(description),
      buffers: offsetVector(b, buffers),
    });
    b.finish(model, 'TFL3');
    return b.asUint8Array().slice();
  }
}
