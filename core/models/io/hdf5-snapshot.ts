import type { Dataset as H5Dataset, Entity, Group as H5Group } from 'h5wasm';
import { loadH5wasm } from './hdf5-wasm.js';

/**
 * An HDF5 file copied out into plain data (groups, attributes, numeric datasets as float32), so that
 * h5wasm can read it in another thread and be stopped there: a damaged file can make the HDF5 library
 * loop forever. Every read that fails is kept where it failed and thrown only when the importer
 * touches that part, as reading the file directly would.
 */
export interface Hdf5Request {
  bytes: Uint8Array;
  /** Top-level groups not copied (optimizer state): listed by keys(), empty. */
  skip: readonly string[];
  /** The most bytes of dataset values copied out, declared sizes counted before each read. */
  maxValueBytes: number;
}

/** A failure kept for later: an HDF5 error text, or a dataset over the byte limit. */
export type Failure = { message: string; overLimit?: boolean };
type Attr = { value: unknown } | { failure: Failure };

export type NodeData =
  | { kind: 'group'; attrs: Record<string, Attr> | Failure; children: string[] | Failure }
  | { kind: 'dataset'; attrs: Record<string, Attr> | Failure; shape: number[]; dtype: { type: number; size: number }; value?: Float32Array | Failure }
  | { kind: 'other' };

/** Nodes by path ('' is the root, 'model_weights/dense/kernel:0' a dataset). */
export interface Hdf5Snapshot {
  nodes: Record<string, NodeData>;
}

/** Hard links can make cycles; Keras files are a few levels deep with at most a few thousand nodes. */
const MAX_DEPTH = 32;
const MAX_NODES = 200_000;

const failure = (error: unknown): Failure => ({ message: error instanceof Error ? error.message : String(error) });
const isFailure = (value: unknown): value is Failure => typeof value === 'object' && value !== null && 'message' in value && !ArrayBuffer.isView(value);

/** Reads `request.bytes` with h5wasm in this thread; the float32 buffers it returns may be transferred. */
export async function takeSnapshot(request: Hdf5Request): Promise<Hdf5Snapshot> {
  const { h5wasm, FS } = await loadH5wasm();
  const path = `/snapshot-${++serial}.h5`;
  // The file system keeps the caller's bytes rather than a copy (the file is only read, and removed after).
  FS.writeFile(path, request.bytes, { canOwn: true } as Parameters<typeof FS.writeFile>[2]);
  let root: InstanceType<typeof h5wasm.File> | undefined;
  try {
    root = new h5wasm.File(path, 'r');
    return walk(root, request);
  } finally {
    root?.close();
    FS.unlink(path);
  }
}
let serial = 0;

function walk(root: H5Group, { skip, maxValueBytes }: Hdf5Request): Hdf5Snapshot {
  const nodes: Record<string, NodeData> = {};
  let count = 0;
  let valueBytes = 0;
  const visit = (path: string, entity: Entity | null, depth: number): void => {
    if (++count > MAX_NODES) throw new Error(`more than ${MAX_NODES} groups and datasets (a cycle of links?)`);
    const kind = (entity as { type?: string } | null)?.type;
    if (kind === 'Group') {
      const group = entity as H5Group;
      let children: string[] | Failure;
      try {
        children =
          depth === 1 && skip.includes(path)
            ? []
            : depth >= MAX_DEPTH
              ? { message: `groups nested deeper than ${MAX_DEPTH} (a cycle of links?)` }
              : group.keys();
      } catch (error) {
        children = failure(error);
      }
      nodes[path] = { kind: 'group', attrs: attributes(group), children };
      if (Array.isArray(children)) {
        for (const name of children) {
          const child = path === '' ? name : `${path}/${name}`;
          try {
            visit(child, group.get(name), depth + 1);
          } catch (error) {
            if (count > MAX_NODES) throw error;
            nodes[child] = { kind: 'group', attrs: {}, children: failure(error) };
          }
        }
      }
    } else if (kind === 'Dataset') {
      const dataset = entity as H5Dataset;
      const { type, size } = dataset.metadata;
      const shape = dataset.shape ?? [];
      let value: Float32Array | Failure | undefined;
      // Integers and floats of 1, 4 or 8 bytes (h5wasm cannot read float16; the importer names it).
      if ((type === 0 || (type === 1 && size !== 2)) && size <= 8) {
        const declared = shape.reduce((a, b) => a * b, 1) * size;
        if (valueBytes + declared > maxValueBytes) value = { message: `dataset '${path}' holds ${declared} bytes`, overLimit: true };
        else {
          valueBytes += declared;
          value = readValue(dataset);
        }
      }
      nodes[path] = { kind: 'dataset', attrs: attributes(dataset), shape, dtype: { type, size }, ...(value && { value }) };
    } else nodes[path] = { kind: 'other' };
  };
  visit('', root, 0);
  return { nodes };
}

function readValue(dataset: H5Dataset): Float32Array | Failure {
  try {
    const value = dataset.value;
    // A copy of its own (never a view of the wasm memory), so that it can be transferred. (A page that is not
    // cross-origin isolated has no SharedArrayBuffer at all.)
    if (value instanceof Float32Array) return value.byteLength === value.buffer.byteLength && !isShared(value.buffer) ? value : value.slice();
    if (typeof value === 'number' || typeof value === 'bigint') return Float32Array.of(Number(value));
    return Float32Array.from(value as ArrayLike<number>, Number);
  } catch (error) {
    return failure(error);
  }
}

const isShared = (buffer: ArrayBufferLike): boolean => typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;

function attributes(node: H5Group | H5Dataset): Record<string, Attr> | Failure {
  let attrs: ReturnType<() => H5Group['attrs']>;
  try {
    attrs = node.attrs;
  } catch (error) {
    return failure(error);
  }
  const out: Record<string, Attr> = {};
  for (const name of Object.keys(attrs)) {
    try {
      out[name] = { value: attrs[name].value };
    } catch (error) {
      out[name] = { failure: failure(error) };
    }
  }
  return out;
}

/** The float32 buffers of a snapshot, to transfer rather than copy between threads. */
export function snapshotBuffers(snapshot: Hdf5Snapshot): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const node of Object.values(snapshot.nodes)) {
    if (node.kind === 'dataset' && node.value instanceof Float32Array) buffers.add(node.value.buffer as ArrayBuffer);
  }
  return [...buffers];
}

export { isFailure };
