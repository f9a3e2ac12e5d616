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
    throw new NotAProjectError(file, `not a zip archive; it starts with ${describeStart(bytes)}`);
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

function describeStart(bytes: Uint8Array): string {
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  return png ? `${head} (a PNG image)` : head;
}
