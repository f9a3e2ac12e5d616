import { unzipSync, zipSync, type UnzipFileInfo, type Zippable } from 'fflate';
import { NotAProjectError, ProjectTamperedError, ProjectTruncatedError } from './project-errors.js';

const LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];

/**
 * Every entry of a zip, by path. A file that starts like a zip but whose directory (at its end) cannot
 * be read was cut off; anything else that is no zip is a foreign file. Entries are inflated one at a time
 * so a damaged one is named.
 */
export function readZipParts(file: string, bytes: Uint8Array): Map<string, Uint8Array> {
  if (bytes.length === 0) throw new ProjectTruncatedError(file, 'the file is empty');
  const entries: UnzipFileInfo[] = [];
  try {
    unzipSync(bytes, {
      filter: (info) => {
        entries.push(info);
        return false; // list only
      },
    });
  } catch {
    if (LOCAL_HEADER.every((b, i) => bytes[i] === b)) throw new ProjectTruncatedError(file, `a zip whose directory is missing: ${bytes.length} bytes are there`);
    throw new NotAProjectError(file, `not a zip archive: it looks like ${describeStart(bytes)}`);
  }
  const parts = new Map<string, Uint8Array>();
  for (const { name } of entries) {
    let data: Uint8Array | undefined;
    try {
      data = unzipSync(bytes, { filter: (info) => info.name === name })[name];
    } catch (error) {
      throw new ProjectTamperedError(file, name, `cannot be decompressed (${(error as Error).message})`);
    }
    if (data) parts.set(name, data);
  }
  return parts;
}

/** A zip of `parts`: JSON deflated, weights stored as they are (they hardly compress, and storing is fast). */
export function writeZipParts(parts: ReadonlyMap<string, Uint8Array>, mtime: Date): Uint8Array {
  const zippable: Zippable = {};
  for (const [path, data] of parts) zippable[path] = [data, { level: path.endsWith('.json') ? 6 : 0 }];
  return zipSync(zippable, { mtime });
}

/** What a file that is no zip looks like, in words (never its bytes in hex: they tell a person nothing). */
function describeStart(bytes: Uint8Array): string {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'a PNG image';
  if (starts(0xff, 0xd8, 0xff)) return 'a JPEG image';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'a GIF image';
  if (starts(0x25, 0x50, 0x44, 0x46)) return 'a PDF document';
  if (starts(0x89, 0x48, 0x44, 0x46)) return 'an HDF5 file (perhaps a Keras .h5 model)';
  if (starts(0x1f, 0x8b)) return 'a gzip archive';
  const head = new TextDecoder().decode(bytes.subarray(0, 60)).trim();
  const printable = [...head].every((c) => c >= ' ' || c === '\n' || c === '\r' || c === '\t') && !head.includes('\ufffd');
  if (head.length > 0 && printable) return `text ("${head.length > 40 ? `${head.slice(0, 40)}…` : head}")`;
  return 'binary data of a kind Pruneflow does not know';
}
