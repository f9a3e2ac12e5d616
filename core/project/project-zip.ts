import { zipSync, type Zippable } from 'fflate';
import { openZip, ZipFormatError, type ZipArchive } from '../data/archive/zip.js';
import { NotAProjectError, ProjectTamperedError, ProjectTruncatedError } from './project-errors.js';

/** A project's zip, read lazily: its directory now, an entry's bytes only when asked for. */
export interface ProjectZip {
  names(): string[];
  /** The entry's bytes, or undefined if the zip has no such entry. */
  read(name: string): Uint8Array | undefined;
}

/**
 * Opens a project's zip. A file that starts like a zip but whose directory (at its end) cannot be read
 * was cut off; anything else that is no zip is a foreign file; a damaged entry is named when read.
 * Entry count and inflated size are bounded (see input-limits.ts).
 */
export function openProjectZip(file: string, bytes: Uint8Array): ProjectZip {
  if (bytes.length === 0) throw new ProjectTruncatedError(file, 'the file is empty');
  let zip: ZipArchive;
  try {
    zip = openZip(bytes, file);
  } catch (error) {
    if (!(error instanceof ZipFormatError)) throw error;
    if (error.fault === 'truncated') throw new ProjectTruncatedError(file, error.detail);
    if (error.fault === 'not-zip') throw new NotAProjectError(file, `not a zip archive: it looks like ${describeStart(bytes)}`);
    throw new NotAProjectError(file, `a damaged zip: ${error.detail}`);
  }
  return {
    names: () => zip.entries.map((e) => e.name),
    read(name) {
      try {
        return zip.read(name);
      } catch (error) {
        if (error instanceof ZipFormatError) throw new ProjectTamperedError(file, name, error.detail);
        throw error;
      }
    },
  };
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
