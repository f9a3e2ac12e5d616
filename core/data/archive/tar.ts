import { DatasetFormatError } from '../dataset-errors.js';

const BLOCK = 512;
const utf8 = new TextDecoder();

/** Extended-header fields that apply to the next entry (GNU 'L' long name, pax 'x' path and size). */
interface Pending {
  path?: string;
  size?: number;
}

/**
 * The regular files of a tar archive (ustar, GNU and pax) as views into `bytes`: nothing is copied.
 * Directories, links and devices are skipped; a later entry with the same path replaces an earlier one.
 */
export function readTar(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const walk = walkTar(bytes.length, file, (name, start, size) => addFile(files, name, bytes.subarray(start, start + size)));
  for (let step = walk.next(); !step.done;) step = walk.next(bytes.subarray(step.value.at, step.value.at + step.value.length));
  return files;
}

/** Where a file of an archive lies in it. */
export interface TarMember {
  offset: number;
  size: number;
}

/**
 * The regular files of a tar archive of `size` bytes by where they lie, read header by header with `readAt`
 * (the archive is never held whole): the same files, names and errors as `readTar`.
 */
export async function indexTar(readAt: (offset: number, length: number) => Promise<Uint8Array>, size: number, file: string): Promise<Map<string, TarMember>> {
  const files = new Map<string, TarMember>();
  const walk = walkTar(size, file, (name, offset, length) => addFile(files, name, { offset, size: length }));
  for (let step = walk.next(); !step.done;) step = walk.next(await readAt(step.value.at, step.value.length));
  return files;
}

/**
 * The walk over a tar's headers, shared by both readers: it yields the bytes it needs next (a header, a long
 * name, pax records), is given them back, and reports each regular file with where its data lies.
 */
function* walkTar(
  size: number,
  file: string,
  found: (name: string, start: number, size: number) => void,
): Generator<{ at: number; length: number }, void, Uint8Array> {
  let pending: Pending = {};
  let offset = 0;
  while (offset < size) {
    if (offset + BLOCK > size) {
      throw new DatasetFormatError(file, `truncated tar archive: the header at byte ${offset} has only ${size - offset} of 512 bytes`);
    }
    const header = yield { at: offset, length: BLOCK };
    if (header.every((b) => b === 0)) break; // the end-of-archive marker
    checkHeader(header, offset, file);
    const type = String.fromCharCode(header[156]);
    const extended = type === 'x' || type === 'g' || type === 'L' || type === 'K';
    const length = extended || pending.size === undefined ? octal(header, 124, 12, offset, file) : pending.size;
    const start = offset + BLOCK;
    const name = pending.path ?? headerName(header);
    if (start + length > size) {
      throw new DatasetFormatError(file, `truncated tar archive: '${name}' (header at byte ${offset}) has ${length} bytes but only ${size - start} remain`);
    }
    offset = start + Math.ceil(length / BLOCK) * BLOCK;
    if (offset > size) {
      throw new DatasetFormatError(file, `truncated tar archive: it ends at byte ${size}, inside the padding of '${name}' (header at byte ${start - BLOCK})`);
    }
    if (type === 'L') pending.path = cString(yield { at: start, length });
    else if (type === 'x') pending = { ...pending, ...paxFields(yield { at: start, length }, start, file) };
    else if (type !== 'g' && type !== 'K') {
      if (type === '0' || type === '\0' || type === '7') found(name, start, length);
      pending = {};
    }
  }
}

function addFile<T>(files: Map<string, T>, name: string, value: T): void {
  const path = name.replace(/^(\.?\/)+/, '');
  const base = path.slice(path.lastIndexOf('/') + 1);
  // Hidden files (macOS '._' resource forks, .DS_Store) are skipped, as in folders on disk.
  if (path && !path.endsWith('/') && !base.startsWith('.')) files.set(path, value);
}

/** The header checksum: the sum of its bytes with the checksum field counted as spaces. */
function checkHeader(header: Uint8Array, offset: number, file: string): void {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  const field = fieldText(header, 148, 8);
  const stored = /^[0-7]+$/.test(field) ? Number.parseInt(field, 8) : NaN;
  if (stored !== unsigned && stored !== signed) {
    const what = offset === 0 ? 'not a tar archive, or a corrupt one' : 'corrupt tar header';
    throw new DatasetFormatError(file, `${what}: the header at byte ${offset} has checksum '${field}', expected ${unsigned.toString(8)}`);
  }
}

/** ustar splits long paths into prefix (345..500) + name; old GNU headers use that space otherwise. */
function headerName(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100));
  const posix = fieldText(header, 257, 6) === 'ustar' && header[262] === 0;
  const prefix = posix ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** An octal number field, or GNU base-256 when the top bit of its first byte is set (files over 8 GiB). */
function octal(header: Uint8Array, at: number, length: number, offset: number, file: string): number {
  if (header[at] & 0x80) {
    let value = header[at] & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + header[at + i];
    return value;
  }
  const text = fieldText(header, at, length);
  if (!/^[0-7]*$/.test(text)) throw new DatasetFormatError(file, `corrupt tar header at byte ${offset}: size field '${text}' is not octal`);
  return text ? Number.parseInt(text, 8) : 0;
}

/** pax records: "<length> <key>=<value>\n", the length counting the whole record. */
function paxFields(data: Uint8Array, start: number, file: string): Pending {
  const fields: Pending = {};
  for (let at = 0; at < data.length;) {
    const space = data.indexOf(0x20, at);
    const length = space > at ? Number(utf8.decode(data.subarray(at, space))) : NaN;
    if (!Number.isInteger(length) || length <= space - at || at + length > data.length) {
      if (data.subarray(at).every((b) => b === 0)) break;
      throw new DatasetFormatError(file, `corrupt pax header: bad record at byte ${start + at}`);
    }
    const record = utf8.decode(data.subarray(space + 1, at + length - 1));
    const equals = record.indexOf('=');
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    if (key === 'path') fields.path = value;
    if (key === 'size' && /^\d+$/.test(value)) fields.size = Number(value);
    at += length;
  }
  return fields;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return utf8.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function fieldText(header: Uint8Array, at: number, length: number): string {
  return cString(header.subarray(at, at + length)).trim();
}
