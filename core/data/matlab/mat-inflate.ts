import { Unzlib, unzlibSync } from 'fflate';
import { DatasetFormatError } from '../dataset-errors.js';
import { InputLimitError, inputLimits } from '../input-limits.js';

const PEEK_BYTES = 4096;

/**
 * Inflates the zlib stream of one miCOMPRESSED element. The output is sized from the inner
 * element's tag, found by inflating a short prefix, so it is allocated once (SVHN's train X inflates
 * to 225 MB); one-shot inflation into that buffer is about 1.5x faster than streaming. fflate skips
 * the Adler-32 check, which is also what catches output that overran the declared size; we do it.
 */
export function inflateElement(compressed: Uint8Array, littleEndian: boolean, file: string, where: string): Uint8Array {
  const fail = (detail: string) => new DatasetFormatError(file, `corrupt compressed element at ${where}: ${detail}`);
  if (compressed.length < 6) throw fail(`${compressed.length} bytes is too short for a zlib stream`);
  let result: Uint8Array;
  try {
    const size = inflatedSize(compressed, littleEndian);
    if (size !== undefined && size > inputLimits().maxUnpackedBytes)
      throw new InputLimitError(file, 'maxUnpackedBytes', `the compressed element at ${where} says it inflates to ${size} bytes`);
    result = size === undefined ? unzlibSync(compressed) : unzlibSync(compressed, { out: new Uint8Array(size) });
  } catch (error) {
    if (error instanceof InputLimitError) throw error;
    throw fail(error instanceof Error ? error.message : String(error));
  }
  const view = new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength);
  if (adler32(result) !== view.getUint32(compressed.length - 4, false)) throw fail('Adler-32 checksum mismatch');
  return result;
}

/** Size of the inner element (tag plus data), from its tag; undefined if the prefix is too short to tell. */
function inflatedSize(compressed: Uint8Array, littleEndian: boolean): number | undefined {
  let head: Uint8Array | undefined;
  new Unzlib((chunk) => (head ??= chunk)).push(compressed.subarray(0, PEEK_BYTES), false);
  if (!head || head.length < 8) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, 8);
  const size = view.getUint32(0, littleEndian) >>> 16 !== 0 ? 8 : 8 + view.getUint32(4, littleEndian);
  // Deflate expands at most 1032:1, so a corrupt tag cannot make us allocate more than that.
  return Math.min(size, compressed.length * 1032 + 64);
}

/** Adler-32 as zlib defines it; sums are reduced every 5552 bytes, the most that cannot overflow. */
function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let start = 0; start < bytes.length; start += 5552) {
    const end = Math.min(start + 5552, bytes.length);
    for (let i = start; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
