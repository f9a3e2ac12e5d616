/**
 * A read-only view of files: a folder on disk, an archive, or files a browser handed over. The engine
 * parses formats from bytes; only the host that owns the files implements this.
 */
import type { FileEntry } from '../api/host-files-protocol.js';

export interface FileTree {
  /** Where the files come from, for messages ("/data/cifar-10-batches-bin", "cifar-10-binary.tar.gz"). */
  label: string;
  /** Every file below the root: relative paths with '/' separators, sizes in bytes. */
  list(): Promise<FileEntry[]>;
  read(path: string): Promise<Uint8Array>;
}

/** The wire type (core/api owns it): a page's file requests carry these. */
export type { FileEntry } from '../api/host-files-protocol.js';

export class DatasetNotFoundError extends Error {
  override name = 'DatasetNotFoundError';
}

/** A tree over files already in memory (tests, archives, a browser's dropped files). */
export function memoryTree(label: string, files: ReadonlyMap<string, Uint8Array>): FileTree {
  return {
    label,
    async list() {
      return [...files].map(([path, bytes]) => ({ path, size: bytes.length }));
    },
    async read(path) {
      const bytes = files.get(path);
      if (!bytes) throw new DatasetNotFoundError(`${label}: no file '${path}'`);
      return bytes;
    },
  };
}

/** The last path segment, for matching file names wherever they sit in a tree. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
