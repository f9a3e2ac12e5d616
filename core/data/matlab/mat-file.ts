import { DatasetFormatError } from '../dataset-errors.js';
import { MI, type MatSource, matSource, readElement } from './mat-element.js';
import { MAT_HEADER_BYTES, readMatHeader } from './mat-header.js';
import { inflateElement } from './mat-inflate.js';
import { type MatArray, readMatrix } from './mat-matrix.js';

export interface MatReadOptions {
  /** Called after each variable with the fraction of the file's bytes read; may throw to abort. */
  onProgress?: (fraction: number) => void;
}

/**
 * Reads the variables of a MAT v5 file (MATLAB -v6/-v7, scipy.io.savemat): header, then data
 * elements, each a matrix or a zlib-compressed matrix. Elements of other types are skipped.
 */
export function readMatFile(bytes: Uint8Array, file: string, options: MatReadOptions = {}): Map<string, MatArray> {
  const { littleEndian } = readMatHeader(bytes, file);
  const source = matSource(file, bytes, littleEndian, false, (offset) => `byte ${offset}`);
  const variables = new Map<string, MatArray>();
  const progress = (offset: number) => options.onProgress?.(offset / bytes.length);
  for (let offset = MAT_HEADER_BYTES; offset < bytes.length;) {
    const element = readElement(source, offset);
    let array: MatArray | undefined;
    if (element.type === MI.MATRIX) array = readMatrix(source, element);
    if (element.type === MI.COMPRESSED) array = readCompressed(source, element.offset, element.data);
    if (array && !variables.has(array.name)) variables.set(array.name, array);
    offset = element.next;
    progress(offset);
  }
  return variables;
}

function readCompressed(outer: MatSource, at: number, data: Uint8Array): MatArray | undefined {
  const inflated = inflateElement(data, outer.littleEndian, outer.file, `byte ${at}`);
  const source = matSource(outer.file, inflated, outer.littleEndian, true, (offset) => `byte ${offset} of the data compressed at byte ${at}`);
  const element = readElement(source, 0);
  if (element.type === MI.MATRIX) return readMatrix(source, element);
  if (element.type === MI.COMPRESSED) {
    throw new DatasetFormatError(outer.file, `the compressed element at byte ${at} holds another compressed element`);
  }
  return undefined;
}
