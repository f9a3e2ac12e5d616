import { DataType, type OnnxTensor } from './onnx-proto.js';
import { OnnxTensorError } from './onnx-errors.js';

/** A constant's values as float32 (weights) or as numbers (shapes, indices: int64 read exactly up to 2^53). */
export interface ConstTensor {
  dims: number[];
  values: Float32Array | Float64Array;
  /** int64/int32/bool constants: shapes, indices, axes. */
  integer: boolean;
}

/** Reads an external-data file named by a tensor, relative to the model file's folder. */
export type ExternalReader = (location: string) => Promise<Uint8Array>;

const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/** The values of one TensorProto: raw_data, typed fields or an external file. Checks the count against dims. */
export async function readTensor(tensor: OnnxTensor, file: string, external: ExternalReader): Promise<ConstTensor> {
  const dims = (tensor.dims ?? []).map(Number);
  const name = tensor.name ?? '(unnamed)';
  const type = tensor.data_type ?? DataType.FLOAT;
  let raw = tensor.raw_data;
  if (tensor.data_location === 1) raw = await readExternal(tensor, name, file, external);
  const values = raw && raw.length > 0 ? fromRaw(raw, type, name, file) : fromFields(tensor, type, name, file);
  if (values.length !== size(dims)) {
    throw new OnnxTensorError(file, name, `holds ${values.length} values but its shape [${dims.join(', ')}] needs ${size(dims)}`);
  }
  return { dims, values, integer: type !== DataType.FLOAT && type !== DataType.DOUBLE && type !== DataType.FLOAT16 };
}

async function readExternal(tensor: OnnxTensor, name: string, file: string, external: ExternalReader): Promise<Uint8Array> {
  const entry = (key: string) => tensor.external_data?.find((e) => e.key === key)?.value;
  const location = entry('location');
  if (!location) throw new OnnxTensorError(file, name, 'is stored externally but names no file (external_data has no location)');
  if (/^([/\\]|[A-Za-z]:)/.test(location) || location.split(/[/\\]/).includes('..')) {
    throw new OnnxTensorError(file, name, `is stored in '${location}', outside the model's folder: Pruneflow reads external data only beside the model`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await external(location);
  } catch (error) {
    throw new OnnxTensorError(file, name, `is stored in '${location}' beside the model, which cannot be read: ${(error as Error).message}`);
  }
  const offset = Number(entry('offset') ?? 0);
  const length = entry('length') === undefined ? bytes.length - offset : Number(entry('length'));
  if (offset + length > bytes.length) {
    throw new OnnxTensorError(file, name, `is stored in '${location}' at bytes ${offset}..${offset + length}, but that file has ${bytes.length} bytes`);
  }
  return bytes.subarray(offset, offset + length);
}

function fromRaw(raw: Uint8Array, type: number, name: string, file: string): Float32Array | Float64Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const width = {
    [DataType.FLOAT]: 4,
    [DataType.DOUBLE]: 8,
    [DataType.INT64]: 8,
    [DataType.INT32]: 4,
    [DataType.UINT8]: 1,
    [DataType.INT8]: 1,
    [DataType.BOOL]: 1,
    [DataType.FLOAT16]: 2,
  }[type];
  if (width === undefined) throw new OnnxTensorError(file, name, `has data type ${type}, which Pruneflow does not read`);
  if (raw.byteLength % width !== 0) throw new OnnxTensorError(file, name, `has ${raw.byteLength} bytes of data, not a whole number of ${width}-byte values`);
  const n = raw.byteLength / width;
  if (type === DataType.FLOAT) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * width;
    if (type === DataType.DOUBLE) out[i] = view.getFloat64(at, true);
    else if (type === DataType.INT64) out[i] = Number(view.getBigInt64(at, true));
    else if (type === DataType.INT32) out[i] = view.getInt32(at, true);
    else if (type === DataType.INT8) out[i] = view.getInt8(at);
    else if (type === DataType.FLOAT16) out[i] = half(view.getUint16(at, true));
    else out[i] = view.getUint8(at);
  }
  return type === DataType.FLOAT16 ? Float32Array.from(out) : out;
}

function fromFields(tensor: OnnxTensor, type: number, name: string, file: string): Float32Array | Float64Array {
  switch (type) {
    case DataType.FLOAT:
      return Float32Array.from(tensor.float_data ?? []);
    case DataType.DOUBLE:
      return Float64Array.from(tensor.double_data ?? []);
    case DataType.INT64:
      return Float64Array.from(tensor.int64_data ?? []);
    case DataType.INT32:
    case DataType.INT8:
    case DataType.UINT8:
    case DataType.BOOL:
      return Float64Array.from(tensor.int32_data ?? []);
    default:
      throw new OnnxTensorError(file, name, `has data type ${type}, which Pruneflow does not read`);
  }
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
