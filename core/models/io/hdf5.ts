import type { Dataset, Entity, Group, File as H5File } from 'h5wasm';
import { ModelFormatError, WasmMemoryError } from './model-errors.js';

/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly). Its ESM build embeds the wasm, so
 * the same import works in Node and in a browser worker with no .wasm file to serve. It is imported
 * on first use (4 MB of script). Files live in its in-memory file system only while one call reads
 * or writes them.
 */
let module: ReturnType<typeof load> | undefined;
let serial = 0;

async function load() {
  const h5wasm = (await import('h5wasm')).default;
  let m: Awaited<typeof h5wasm.ready>;
  try {
    m = await h5wasm.ready;
  } catch (error) {
    module = undefined; // a later call may try again (after the limit was raised in another process)
    const message = error instanceof Error ? error.message : String(error);
    if (/Cannot allocate Wasm memory|could not allocate memory|Out of memory/i.test(message)) throw new WasmMemoryError('the HDF5 reader (h5wasm)', message);
    throw error;
  }
  // HDF5 errors become exceptions instead of diagnostics printed to the console.
  m.activate_throwing_error_handler();
  return { h5wasm, FS: m.FS! };
}

export type { Dataset, Group, H5File };
export const isGroup = (entity: Entity | null): entity is Group => (entity as Group | null)?.type === 'Group';
export const isDataset = (entity: Entity | null): entity is Dataset => (entity as Dataset | null)?.type === 'Dataset';

/** HDF5 files start with this signature, at byte 0 or after a user block of 512, 1024, 2048 ... bytes. */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

/** Opens `bytes` as HDF5 and hands the root to `read`, which must copy out all it needs. */
export async function readHdf5<T>(bytes: Uint8Array, file: string, read: (root: H5File) => T): Promise<T> {
  if (!isHdf5(bytes)) throw new ModelFormatError(file, 'not an HDF5 file (no HDF5 signature)');
  const { h5wasm, FS } = await (module ??= load());
  const path = `/read-${++serial}.h5`;
  FS.writeFile(path, bytes);
  let root: H5File | undefined;
  try {
    root = new h5wasm.File(path, 'r');
    return read(root);
  } catch (error) {
    throw hdf5Error(error, file);
  } finally {
    root?.close();
    FS.unlink(path);
  }
}

/** Builds an HDF5 file with `write` and returns its bytes. */
export async function writeHdf5(write: (root: H5File) => void): Promise<Uint8Array> {
  const { h5wasm, FS } = await (module ??= load());
  const path = `/write-${++serial}.h5`;
  try {
    const root = new h5wasm.File(path, 'w');
    try {
      write(root);
    } finally {
      root.close();
    }
    return FS.readFile(path);
  } finally {
    if (FS.analyzePath(path).exists) FS.unlink(path);
  }
}

/** HDF5 library errors carry a long diagnostic stack; keep its last "minor" line, which says why. */
function hdf5Error(error: unknown, file: string): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.includes('HDF5-DIAG')) return error; // ours, or from the caller's reading
  const reasons = [...message.matchAll(/minor: (.+)/g)].map((m) => m[1].trim());
  return new ModelFormatError(file, `cannot read the HDF5 file (truncated or damaged?): ${reasons.at(-1) ?? 'HDF5 error'}`);
}

/** An attribute as strings; Keras splits long lists into `name0`, `name1`, ... attributes. */
export function stringsAttr(node: Group | Dataset, name: string): string[] | undefined {
  const attrs = node.attrs;
  if (name in attrs) return toStrings(attrs[name].value);
  if (!(`${name}0` in attrs)) return undefined;
  const out: string[] = [];
  for (let i = 0; `${name}${i}` in attrs; i++) out.push(...toStrings(attrs[`${name}${i}`].value));
  return out;
}

function toStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map(String);
  return []; // an empty numeric array: Keras writes np.asarray([]) for layers without weights
}

/** A scalar string attribute (JSON configs), or undefined. */
export function stringAttr(node: Group, name: string): string | undefined {
  const value = node.attrs[name]?.value;
  return typeof value === 'string' ? value : undefined;
}
