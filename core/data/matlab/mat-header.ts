import { DatasetFormatError } from '../dataset-errors.js';

/** The fixed MAT v5 header: 116 bytes of text, 8 of subsystem offset, version, endian indicator. */
export const MAT_HEADER_BYTES = 128;

export interface MatHeader {
  text: string;
  littleEndian: boolean;
}

/** Reads the header of a MAT v5 (or v6/v7, same layout) file; refuses v4 and v7.3 (HDF5) files. */
export function readMatHeader(bytes: Uint8Array, file: string): MatHeader {
  if (bytes.length < MAT_HEADER_BYTES) {
    throw new DatasetFormatError(file, `not a MAT v5 file: ${bytes.length} bytes is less than the 128-byte header`);
  }
  const text = String.fromCharCode(...bytes.subarray(0, 116)).replace(/[\0 ]+$/, '');
  // The writer stores 'MI' as a 16-bit value, so a little-endian file reads 'IM'.
  const indicator = String.fromCharCode(bytes[126], bytes[127]);
  if (indicator !== 'IM' && indicator !== 'MI') {
    throw new DatasetFormatError(
      file,
      `not a MAT v5 file: the endian indicator at byte 126 reads ${JSON.stringify(indicator)}, not 'IM' or 'MI'` +
        (text.startsWith('MATLAB') ? '' : ' (and the header text does not start with "MATLAB")'),
    );
  }
  const littleEndian = indicator === 'IM';
  const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(124, littleEndian);
  if (version === 0x0200) {
    throw new DatasetFormatError(file, 'a MATLAB 7.3 (HDF5) file; only MAT v5/v7 files are read (save with -v7)');
  }
  if (version !== 0x0100) {
    throw new DatasetFormatError(file, `MAT version 0x${version.toString(16)} at byte 124 is not 0x0100`);
  }
  return { text, littleEndian };
}
