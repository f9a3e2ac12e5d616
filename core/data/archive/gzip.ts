import { Gunzip, gunzipSync } from 'fflate';
import { DatasetFormatError } from '../dataset-errors.js';
import { InputLimitError, inputLimits } from '../input-limits.js';
import { crc32 } from './crc32.js';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Inflates a gzip file and checks its trailer (length and CRC-32), which fflate leaves unchecked:
 * a damaged download must not become silently wrong pixels.
 */
export function gunzipChecked(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length < 18) throw new DatasetFormatError(file, `truncated gzip data: ${bytes.length} bytes, less than a header and trailer`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const trailer = bytes.length - 8;
  const size = view.getUint32(trailer + 4, true);
  // fflate allocates the trailer's size up front; deflate cannot expand more than 1032-fold.
  if (size > bytes.length * 1032) {
    throw new DatasetFormatError(file, `corrupt gzip data ${locateFault(bytes)} (the trailer claims ${size} bytes)`);
  }
  if (size > inputLimits().maxUnpackedBytes) throw new InputLimitError(file, 'maxUnpackedBytes', `the gzip trailer says it inflates to ${size} bytes`);
  let out: Uint8Array;
  try {
    // One byte more than the trailer says, so that a longer stream shows instead of being clipped.
    out = gunzipSync(bytes, { out: new Uint8Array(size + 1) });
  } catch (error) {
    throw new DatasetFormatError(file, `corrupt gzip data ${locateFault(bytes)} (${reasonOf(error)})`);
  }
  if (out.length !== size) {
    throw new DatasetFormatError(
      file,
      `corrupt gzip data: the trailer at byte ${trailer} says ${size} bytes, but ${out.length > size ? 'more' : out.length} came out ` +
        '(truncated, or several gzip files joined?)',
    );
  }
  const expected = view.getUint32(trailer, true);
  const actual = crc32(out);
  if (actual !== expected) {
    throw new DatasetFormatError(
      file,
      `corrupt gzip data: CRC-32 ${hex(actual)} of the inflated data differs from ${hex(expected)} in the trailer at byte ${trailer}`,
    );
  }
  return out;
}

/**
 * Where inflating fails, to the nearest 64 KiB. Run only after a failure: it feeds the stream in
 * chunks, since fflate's one-shot error carries no position.
 */
function locateFault(bytes: Uint8Array): string {
  const chunk = 65536;
  const stream = new Gunzip(() => undefined);
  for (let at = 0; at < bytes.length; at += chunk) {
    const end = Math.min(at + chunk, bytes.length);
    try {
      stream.push(bytes.subarray(at, end), end === bytes.length);
    } catch (error) {
      const early = end === bytes.length && /unexpected EOF/i.test(reasonOf(error));
      return early ? `at byte ${bytes.length}, where the file ends early (truncated?)` : `in compressed bytes ${at}..${end}`;
    }
  }
  return `in the trailer at byte ${bytes.length - 8}`;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
