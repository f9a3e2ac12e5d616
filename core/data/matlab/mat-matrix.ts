import { DatasetFormatError } from '../dataset-errors.js';
import { MI, type MatElement, type MatSource, readElement } from './mat-element.js';

/** MATLAB array classes by their code in the array flags (mxDOUBLE_CLASS = 6, ...). */
const CLASS_NAMES = [
  'unknown',
  'cell',
  'struct',
  'object',
  'char',
  'sparse',
  'double',
  'single',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
];
const FIRST_NUMERIC_CLASS = 6;

/** Bytes per value of each numeric storage type. */
export const MI_BYTES: Readonly<Record<number, number>> = {
  [MI.INT8]: 1,
  [MI.UINT8]: 1,
  [MI.INT16]: 2,
  [MI.UINT16]: 2,
  [MI.INT32]: 4,
  [MI.UINT32]: 4,
  [MI.SINGLE]: 4,
  [MI.DOUBLE]: 8,
  [MI.INT64]: 8,
  [MI.UINT64]: 8,
};

/** One variable: a numeric array keeps its real part as stored; other classes only name and shape. */
export interface MatArray {
  name: string;
  className: string;
  dims: number[];
  /** As stored, which may be narrower than the class: MATLAB writes a double array of small integers as miUINT8. */
  real?: MatElement;
  source: MatSource;
}

/** Reads a miMATRIX element: array flags, dimensions, name, then the real part of numeric arrays. */
export function readMatrix(source: MatSource, element: MatElement): MatArray {
  const { view, littleEndian } = source;
  const end = element.dataOffset + element.data.length;
  const fail = (detail: string) => new DatasetFormatError(source.file, `matrix at ${source.where(element.offset)}: ${detail}`);
  const flags = readElement(source, element.dataOffset, end);
  if (flags.type !== MI.UINT32 || flags.data.length !== 8)
    throw fail(`array flags are type ${flags.type} of ${flags.data.length} bytes, not 8 bytes of uint32`);
  const classCode = view.getUint32(flags.dataOffset, littleEndian) & 0xff;
  const dimensions = readElement(source, flags.next, end);
  if (dimensions.type !== MI.INT32 || dimensions.data.length % 4 !== 0 || dimensions.data.length === 0) {
    throw fail(`dimensions are type ${dimensions.type} of ${dimensions.data.length} bytes, not int32 values`);
  }
  const dims = Array.from({ length: dimensions.data.length / 4 }, (_, i) => view.getInt32(dimensions.dataOffset + 4 * i, littleEndian));
  const nameElement = readElement(source, dimensions.next, end);
  const name = String.fromCharCode(...nameElement.data);
  const className = CLASS_NAMES[classCode] ?? `class ${classCode}`;
  const array: MatArray = { name, className, dims, source };
  if (classCode < FIRST_NUMERIC_CLASS || classCode >= CLASS_NAMES.length) return array;
  const real = readElement(source, nameElement.next, end);
  const size = MI_BYTES[real.type];
  if (size === undefined) throw fail(`'${name}' stores its values as type ${real.type}, which is not numeric`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (real.data.length !== count * size) {
    throw fail(`'${name}' is ${dims.join('x')} (${count} values) but holds ${real.data.length} bytes of ${size}-byte values`);
  }
  return { ...array, real };
}
