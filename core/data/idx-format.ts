import { gunzipChecked, isGzip } from './archive/gzip.js';
import { DatasetFormatError } from './dataset-errors.js';

/** An IDX array (the MNIST family's format): big-endian dimensions, then unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/** Parses raw or gzipped IDX bytes. Only unsigned-byte arrays occur in image data sets. */
export function parseIdx(input: Uint8Array, file: string): IdxArray {
  const bytes = isGzip(input) ? gunzipChecked(input, file) : input;
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetFormatError(file, 'not an IDX file (the first two bytes must be zero)');
  }
  if (bytes[2] !== UNSIGNED_BYTE) {
    throw new DatasetFormatError(file, `IDX element type 0x${bytes[2].toString(16)} is not unsigned byte (0x08)`);
  }
  const rank = bytes[3];
  const headerLength = 4 + 4 * rank;
  if (rank === 0 || bytes.length < headerLength) {
    throw new DatasetFormatError(file, `truncated IDX header (rank ${rank}, ${bytes.length} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLength;
  if (actual < expected) {
    const itemSize = expected / dims[0];
    throw new DatasetFormatError(
      file,
      `truncated: header says ${dims.join('x')} (${expected} bytes of data) but only ${actual} bytes follow; ` +
        `record ${Math.floor(actual / itemSize)} is incomplete`,
    );
  }
  if (actual > expected) {
    throw new DatasetFormatError(file, `${actual - expected} unexpected bytes after the ${dims.join('x')} array`);
  }
  return { dims, data: bytes.subarray(headerLength) };
}
