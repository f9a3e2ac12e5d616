import { DatasetFormatError } from '../dataset-errors.js';
import { MI } from './mat-element.js';
import { MI_BYTES, type MatArray } from './mat-matrix.js';

/** The values of a numeric array as doubles, whatever type they are stored as. */
export function matValues(array: MatArray): Float64Array {
  const real = requireReal(array);
  const { view, littleEndian } = array.source;
  const at = real.dataOffset;
  const out = new Float64Array(real.data.length / MI_BYTES[real.type]);
  switch (real.type) {
    case MI.UINT8:
      out.set(real.data);
      break;
    case MI.INT8:
      for (let i = 0; i < out.length; i++) out[i] = view.getInt8(at + i);
      break;
    case MI.INT16:
      for (let i = 0; i < out.length; i++) out[i] = view.getInt16(at + 2 * i, littleEndian);
      break;
    case MI.UINT16:
      for (let i = 0; i < out.length; i++) out[i] = view.getUint16(at + 2 * i, littleEndian);
      break;
    case MI.INT32:
      for (let i = 0; i < out.length; i++) out[i] = view.getInt32(at + 4 * i, littleEndian);
      break;
    case MI.UINT32:
      for (let i = 0; i < out.length; i++) out[i] = view.getUint32(at + 4 * i, littleEndian);
      break;
    case MI.SINGLE:
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(at + 4 * i, littleEndian);
      break;
    case MI.DOUBLE:
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(at + 8 * i, littleEndian);
      break;
    case MI.INT64:
      for (let i = 0; i < out.length; i++) out[i] = Number(view.getBigInt64(at + 8 * i, littleEndian));
      break;
    case MI.UINT64:
      for (let i = 0; i < out.length; i++) out[i] = Number(view.getBigUint64(at + 8 * i, littleEndian));
      break;
  }
  return out;
}

/**
 * The values as bytes, for pixels. Values stored as uint8 come back without a copy when the reader
 * owns the buffer (inflated data), so a caller may reorder them in place; others must be 0..255 integers.
 */
export function matBytes(array: MatArray): Uint8Array {
  const real = requireReal(array);
  if (real.type === MI.UINT8) return array.source.owned ? real.data : real.data.slice();
  const values = matValues(array);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!(value >= 0 && value <= 255 && Number.isInteger(value))) {
      throw new DatasetFormatError(array.source.file, `'${array.name}' value ${value} at index ${i} is not a byte (0..255)`);
    }
    out[i] = value;
  }
  return out;
}

function requireReal(array: MatArray) {
  if (!array.real) throw new DatasetFormatError(array.source.file, `'${array.name}' is a ${array.className} array, not numeric`);
  return array.real;
}
