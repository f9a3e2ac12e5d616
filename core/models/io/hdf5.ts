import type { Group as H5WriteGroup } from 'h5wasm';
import { InputLimitError, inputLimits } from '../../data/input-limits.js';
import { hdf5Reader } from './hdf5-reader.js';
import { isFailure, type Failure, type Hdf5Snapshot, type NodeData } from './hdf5-snapshot.js';
import { loadH5wasm } from './hdf5-wasm.js';
import { ModelFileTooComplexError, ModelFormatError, WasmMemoryError } from './model-errors.js';

/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly). Reading goes through the host's
 * reader (hdf5-reader.ts: a worker thread with a deadline in Node), which copies the file out into a
 * snapshot; importers walk it with the small part of h5wasm's API they use. Writing (our own models)
 * stays in this thread.
 */
export type { H5WriteGroup };

/** A group of a read file: its attributes, its children's names, and a child by (relative) path. */
export interface Group {
  readonly type: 'Group';
  readonly path: string;
  readonly attrs: Record<string, { readonly value: unknown }>;
  keys(): string[];
  get(path: string): Entity | null;
}

/** A numeric dataset, its values as float32 (other types have none: `value` throws). */
export interface Dataset {
  readonly type: 'Dataset';
  readonly path: string;
  readonly attrs: Record<string, { readonly value: unknown }>;
  readonly metadata: { type: number; size: number };
  readonly shape: number[];
  readonly value: Float32Array;
}

export type Entity = Group | Dataset | { readonly type: 'Other' };
export type H5File = Group;

export const isGroup = (entity: Entity | null): entity is Group => entity?.type === 'Group';
export const isDataset = (entity: Entity | null): entity is Dataset => entity?.type === 'Dataset';

/** HDF5 files start with this signature, at byte 0 or after a user block of 512, 1024, 2048 ... bytes. */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

/**
 * Reads `bytes` as HDF5 (all but the top-level groups in `skip`) and hands the root to `read`. Parts the
 * library could not read throw when `read` touches them, as a ModelFormatError naming `file`.
 */
export async function readHdf5<T>(bytes: Uint8Array, file: string, read: (root: H5File) => T, skip: readonly string[] = []): Promise<T> {
  if (!isHdf5(bytes)) throw new ModelFormatError(file, 'not an HDF5 file (no HDF5 signature)');
  let snapshot: Hdf5Snapshot;
  try {
    snapshot = await hdf5Reader().snapshot({ bytes, skip, maxValueBytes: inputLimits().maxUnpackedBytes }, file);
  } catch (error) {
    // The reader stopped it, or wasm could not start: as they are. Anything else is the file's fault.
    if (error instanceof ModelFileTooComplexError || error instanceof WasmMemoryError) throw error;
    throw hdf5Error(new UnreadablePart({ message: error instanceof Error ? error.message : String(error) }), file);
  }
  try {
    return read(snapshotGroup(snapshot, ''));
  } catch (error) {
    throw hdf5Error(error, file);
  }
}

/** Builds an HDF5 file with `write` and returns its bytes. */
export async function writeHdf5(write: (root: H5WriteGroup) => void): Promise<Uint8Array> {
  const { h5wasm, FS } = await loadH5wasm();
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
let serial = 0;

/** A part of the file the library could not read, thrown when the importer reaches it. */
class UnreadablePart extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

function unwrap<T>(value: T | Failure): T {
  if (isFailure(value)) throw new UnreadablePart(value);
  return value;
}

function attrsOf(node: Exclude<NodeData, { kind: 'other' }>): Group['attrs'] {
  const attrs = unwrap(node.attrs);
  const out: Group['attrs'] = {};
  for (const [name, attr] of Object.entries(attrs)) {
    out[name] =
      'failure' in attr
        ? {
            get value(): unknown {
              throw new UnreadablePart(attr.failure);
            },
          }
        : { value: attr.value };
  }
  return out;
}

function entityAt(snapshot: Hdf5Snapshot, path: string): Entity | null {
  const node = snapshot.nodes[path];
  if (!node) return null;
  if (node.kind === 'group') return snapshotGroup(snapshot, path);
  if (node.kind === 'other') return { type: 'Other' };
  return {
    type: 'Dataset',
    path: `/${path}`,
    get attrs() {
      return attrsOf(node);
    },
    metadata: node.dtype,
    shape: node.shape,
    get value() {
      if (node.value === undefined) throw new UnreadablePart({ message: `dataset '${path}' is not numeric` });
      return unwrap(node.value);
    },
  };
}

function snapshotGroup(snapshot: Hdf5Snapshot, path: string): Group {
  const node = snapshot.nodes[path] as Extract<NodeData, { kind: 'group' }>;
  return {
    type: 'Group',
    path: `/${path}`,
    get attrs() {
      return attrsOf(node);
    },
    keys: () => [...unwrap(node.children)],
    get(relative: string) {
      // Step by step, so that a group the library could not list fails as reading it directly would.
      let at = path;
      for (const part of relative.split('/').filter((p) => p !== '' && p !== '.')) {
        const here = snapshot.nodes[at];
        if (here?.kind !== 'group' || !unwrap(here.children).includes(part)) return null;
        at = at === '' ? part : `${at}/${part}`;
      }
      return entityAt(snapshot, at);
    },
  };
}

/** HDF5 library errors carry a long diagnostic stack; keep its last "minor" line, which says why. */
function hdf5Error(error: unknown, file: string): unknown {
  if (error instanceof UnreadablePart && error.failure.overLimit) return new InputLimitError(file, 'maxUnpackedBytes', error.failure.message);
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof UnreadablePart) && !message.includes('HDF5-DIAG')) return error; // ours, or from the caller's reading
  const reasons = [...message.matchAll(/minor: (.+)/g)].map((m) => m[1].trim());
  return new ModelFormatError(file, `cannot read the HDF5 file (truncated or damaged?): ${reasons.at(-1) ?? message.split('\n')[0]}`);
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
