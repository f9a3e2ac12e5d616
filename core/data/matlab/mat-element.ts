import { DatasetFormatError } from '../dataset-errors.js';

/** MAT v5 data types (the "mi" codes in a data element's tag). */
export const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

/** Bytes the reader walks: a whole file, or the inflated contents of one compressed element. */
export interface MatSource {
  file: string;
  bytes: Uint8Array;
  view: DataView;
  littleEndian: boolean;
  /** Whether `bytes` is the reader's own buffer (inflated), so callers may rewrite it in place. */
  owned: boolean;
  /** Describes an offset for messages: "byte 128", "byte 40 of the data compressed at byte 128". */
  where(offset: number): string;
}

export function matSource(file: string, bytes: Uint8Array, littleEndian: boolean, owned: boolean, where: (offset: number) => string): MatSource {
  return { file, bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), littleEndian, owned, where };
}

export interface MatElement {
  type: number;
  /** Offset of the tag in the source. */
  offset: number;
  /** Offset of the data in the source. */
  dataOffset: number;
  data: Uint8Array;
  /** Offset of the next element: data padded to 8 bytes (compressed elements are not padded). */
  next: number;
}

/** Reads the element whose tag starts at `offset`, which must end by `end`. */
export function readElement(source: MatSource, offset: number, end = source.bytes.length): MatElement {
  const { bytes, view, littleEndian } = source;
  if (offset + 8 > end) {
    throw new DatasetFormatError(source.file, `truncated: a data element tag at ${source.where(offset)} needs 8 bytes, ${end - offset} remain`);
  }
  const first = view.getUint32(offset, littleEndian);
  if (first >>> 16 !== 0) {
    // Small element: type and size share 4 bytes, and up to 4 bytes of data follow in the tag.
    const size = first >>> 16;
    if (size > 4) throw new DatasetFormatError(source.file, `small data element at ${source.where(offset)} claims ${size} bytes (at most 4)`);
    return { type: first & 0xffff, offset, dataOffset: offset + 4, data: bytes.subarray(offset + 4, offset + 4 + size), next: offset + 8 };
  }
  const size = view.getUint32(offset + 4, littleEndian);
  const dataOffset = offset + 8;
  if (size > end - dataOffset) {
    throw new DatasetFormatError(
      source.file,
      `truncated: the data element at ${source.where(offset)} (type ${first}) claims ${size} bytes, only ${end - dataOffset} remain`,
    );
  }
  const padded = first === MI.COMPRESSED ? size : Math.ceil(size / 8) * 8;
  return { type: first, offset, dataOffset, data: bytes.subarray(dataOffset, dataOffset + size), next: Math.min(dataOffset + padded, end) };
}
