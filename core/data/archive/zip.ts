import { inflateSync } from 'fflate';
import { InputLimitError, inputLimits } from '../input-limits.js';
import { crc32 } from './crc32.js';

/** Why a zip cannot be read: cut off (its directory is missing), no zip at all, or one entry damaged. */
export type ZipFault = 'truncated' | 'not-zip' | 'damaged';

/** A zip that cannot be read; `entry` names the damaged entry where one is to blame. Callers rename it. */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
  constructor(
    readonly file: string,
    readonly fault: ZipFault,
    readonly detail: string,
    readonly entry?: string,
  ) {
    super(`${file}${entry === undefined ? '' : `: entry '${entry}'`}: ${detail}`);
  }
}

export interface ZipEntry {
  name: string;
  /** Its size once inflated, as the directory declares it. */
  size: number;
}

/** A zip's directory, read once; entries are inflated only when asked for. */
export interface ZipArchive {
  entries: readonly ZipEntry[];
  has(name: string): boolean;
  /** The entry's bytes, checked against its declared size and CRC-32; undefined if there is no such entry. */
  read(name: string): Uint8Array | undefined;
}

interface Located extends ZipEntry {
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  headerOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ENCRYPTED = 0x1;
const UTF8_NAME = 0x800;

/**
 * Reads a zip's central directory in one linear pass, refusing more entries than `maxArchiveEntries`.
 * Reading entries counts their declared sizes against `maxUnpackedBytes` before anything is allocated,
 * and never inflates more than an entry declares: a small file cannot claim gigabytes.
 */
export function openZip(bytes: Uint8Array, file: string): ZipArchive {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEndRecord(bytes, view, file);
  const count = view.getUint16(end + 10, true);
  const directorySize = view.getUint32(end + 12, true);
  const directoryOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff) throw new ZipFormatError(file, 'damaged', 'a zip64 archive, which Pruneflow does not read');
  const limits = inputLimits();
  if (count > limits.maxArchiveEntries) throw new InputLimitError(file, 'maxArchiveEntries', `the zip lists ${count} entries`);
  if (directoryOffset + directorySize > end) {
    throw new ZipFormatError(
      file,
      'truncated',
      `its directory (bytes ${directoryOffset}..${directoryOffset + directorySize}) lies beyond its end record at byte ${end}`,
    );
  }
  const located = new Map<string, Located>();
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.getUint32(at, true) !== CENTRAL)
      throw new ZipFormatError(file, 'damaged', `directory entry ${i} of ${count} (byte ${at}) is damaged`);
    const nameLength = view.getUint16(at + 28, true);
    const next = at + 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (next > end) throw new ZipFormatError(file, 'damaged', `directory entry ${i} of ${count} (byte ${at}) runs past the directory`);
    const flags = view.getUint16(at + 8, true);
    const name = new TextDecoder(flags & UTF8_NAME ? 'utf-8' : 'latin1').decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const entry: Located = {
      name,
      flags,
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      headerOffset: view.getUint32(at + 42, true),
    };
    if (located.has(name)) throw new ZipFormatError(file, 'damaged', 'the zip lists this entry twice', name);
    if (!name.endsWith('/')) located.set(name, entry);
    at = next;
  }
  let unpacked = 0;
  return {
    entries: [...located.values()].map(({ name, size }) => ({ name, size })),
    has: (name) => located.has(name),
    read(name) {
      const entry = located.get(name);
      if (!entry) return undefined;
      if (unpacked + entry.size > limits.maxUnpackedBytes) {
        throw new InputLimitError(file, 'maxUnpackedBytes', `entry '${name}' would bring what the zip inflates to ${unpacked + entry.size} bytes`);
      }
      unpacked += entry.size;
      return readEntry(bytes, view, entry, file);
    },
  };
}

/** The end-of-central-directory record: the last 22 bytes, or earlier when a comment follows it. */
function findEndRecord(bytes: Uint8Array, view: DataView, file: string): number {
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--) {
    if (view.getUint32(at, true) === EOCD && at + 22 + view.getUint16(at + 20, true) <= bytes.length) return at;
  }
  const startsLikeZip = bytes.length >= 4 && view.getUint32(0, true) === LOCAL;
  if (startsLikeZip) throw new ZipFormatError(file, 'truncated', `a zip whose directory is missing: ${bytes.length} bytes are there`);
  throw new ZipFormatError(file, 'not-zip', 'not a zip archive (no zip directory at its end)');
}

function readEntry(bytes: Uint8Array, view: DataView, entry: Located, file: string): Uint8Array {
  const fail = (detail: string) => new ZipFormatError(file, 'damaged', detail, entry.name);
  const at = entry.headerOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) throw fail(`has no local header at byte ${at}`);
  if (entry.flags & ENCRYPTED) throw fail('is encrypted');
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const stop = start + entry.compressedSize;
  if (stop > bytes.length) throw fail(`has ${entry.compressedSize} compressed bytes from byte ${start}, past the end of the file (${bytes.length} bytes)`);
  const packed = bytes.subarray(start, stop);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw fail(`is stored with ${entry.compressedSize} bytes but declares ${entry.size}`);
    data = packed;
  } else if (entry.method === 8) {
    try {
      // One byte more than declared, so that a longer stream shows instead of being clipped; never more.
      data = inflateSync(packed, { out: new Uint8Array(entry.size + 1) });
    } catch (error) {
      throw fail(`cannot be decompressed (${error instanceof Error ? error.message : String(error)})`);
    }
    if (data.length > entry.size) throw fail(`inflates to more than the ${entry.size} bytes it declares`);
    if (data.length < entry.size) throw fail(`inflates to ${data.length} bytes, not the ${entry.size} it declares`);
  } else {
    throw fail(`uses compression method ${entry.method}; only stored (0) and deflated (8) entries are read`);
  }
  const crc = crc32(data);
  if (crc !== entry.crc) throw fail(`has CRC-32 ${hex(crc)}, the directory says ${hex(entry.crc)}`);
  return data;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
