import { PickleObject, describe, textOf, type Fail, type PickleValue } from './pickle-values.js';

/** A numpy dtype as pickled: `dtype('u1', 0, 1)` then BUILD with (version, byte order, ...). */
export class NumpyDType extends PickleObject {
  readonly typeName = 'numpy.dtype';
  /** 'u' unsigned, 'i' signed, 'f' float, 'b' bool, 'O' object, ... */
  readonly kind: string;
  readonly itemSize: number;
  byteOrder = '|';
  structured = false;

  constructor(readonly descr: string) {
    super();
    this.kind = descr.charAt(0);
    this.itemSize = Number.parseInt(descr.slice(1), 10) || 0;
  }

  override build(state: PickleValue, fail: Fail): void {
    if (!Array.isArray(state) || state.length < 2) fail(`numpy dtype state must be a tuple, found ${describe(state)}`);
    this.byteOrder = textOf(state[1]) ?? '|';
    // Field names (index 3) mark a record dtype, whose bytes are not a plain run of numbers.
    this.structured = state[3] !== null && state[3] !== undefined;
  }

  get littleEndian(): boolean {
    return this.byteOrder !== '>';
  }
}

/**
 * A numpy array as pickled by `ndarray.__reduce__`: `_reconstruct(ndarray, (0,), 'b')` then BUILD
 * with (version, shape, dtype, is_fortran, raw bytes). The bytes stay a view into the file.
 */
export class NumpyArray extends PickleObject {
  readonly typeName = 'numpy.ndarray';
  shape: number[] = [0];
  dtype: NumpyDType | undefined;
  fortranOrder = false;
  data: Uint8Array = new Uint8Array(0);

  override build(state: PickleValue, fail: Fail): void {
    if (!Array.isArray(state)) fail(`numpy array state must be a tuple, found ${describe(state)}`);
    // numpy writes (version, shape, dtype, fortran, data); very old pickles leave out the version.
    const fields = state.length === 5 ? state.slice(1) : state;
    if (fields.length !== 4) fail(`numpy array state has ${state.length} items, expected 5`);
    const [shape, dtype, fortran, data] = fields;
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
      fail('numpy array shape must be a tuple of sizes');
    }
    if (!(dtype instanceof NumpyDType)) fail(`numpy array dtype must be a numpy.dtype, found ${describe(dtype)}`);
    if (dtype.kind === 'O' || !(data instanceof Uint8Array)) {
      fail('numpy arrays of Python objects are not supported (only numbers)');
    }
    this.shape = shape as number[];
    this.dtype = dtype;
    this.fortranOrder = fortran === true || fortran === 1;
    const expected = this.size * dtype.itemSize;
    if (data.length !== expected) {
      fail(`numpy array ${this.shape.join('x')} of ${dtype.descr} needs ${expected} bytes, found ${data.length}`);
    }
    this.data = data;
  }

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/** The elements of an integer or float array (or one numpy scalar's bytes) as numbers. */
export function numbersOf(dtype: NumpyDType, bytes: Uint8Array, fail: Fail): number[] {
  const read = elementReader(dtype, fail);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = Math.floor(bytes.length / dtype.itemSize);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = read(view, i * dtype.itemSize, dtype.littleEndian);
  return out;
}

type ElementReader = (view: DataView, offset: number, littleEndian: boolean) => number;

function elementReader(dtype: NumpyDType, fail: Fail): ElementReader {
  const readers: Record<string, ElementReader> = {
    u1: (v, o) => v.getUint8(o),
    b1: (v, o) => v.getUint8(o),
    i1: (v, o) => v.getInt8(o),
    u2: (v, o, le) => v.getUint16(o, le),
    i2: (v, o, le) => v.getInt16(o, le),
    u4: (v, o, le) => v.getUint32(o, le),
    i4: (v, o, le) => v.getInt32(o, le),
    u8: (v, o, le) => Number(v.getBigUint64(o, le)),
    i8: (v, o, le) => Number(v.getBigInt64(o, le)),
    f4: (v, o, le) => v.getFloat32(o, le),
    f8: (v, o, le) => v.getFloat64(o, le),
  };
  const reader = dtype.structured ? undefined : readers[`${dtype.kind}${dtype.itemSize}`];
  return reader ?? fail(`numpy dtype '${dtype.descr}' is not a plain number type`);
}
