import type { FolderListing } from '../api/contract.js';
import type { PathInfo } from '../api/host-files-protocol.js';
import { indexTar, isArchiveName, isGzip, openArchiveTree } from './archive/index.js';
import { DatasetFormatError } from './dataset-errors.js';
import { baseName, DatasetNotFoundError, type FileEntry, type FileTree } from './file-tree.js';

/**
 * The user's files as the host that owns them hands them to the engine: as bytes, by the host's own
 * paths. Node reads its disk; an engine in a page asks `pruneflow serve` or the desktop app's main
 * process. Everything the engine opens by path (data sets, models) goes through stat, read and list;
 * what it saves (projects, exports, reports) through write; the UI's file browser uses listFolder.
 */
export interface HostFiles {
  /** What lies at a path: a file and its size, a folder, or nothing (undefined). */
  stat(path: string): Promise<PathInfo | undefined>;
  /** A whole file's bytes. */
  read(path: string): Promise<Uint8Array>;
  /**
   * `length` bytes from `offset` (fewer where the file ends): large archives are read member by member
   * through it. Hosts without it have their archives read whole.
   */
  readRange?(path: string, offset: number, length: number): Promise<Uint8Array>;
  /** Every file below a folder, at any depth: paths relative to it with '/' separators; hidden ones left out. */
  list(folder: string): Promise<FileEntry[]>;
  /**
   * Writes a whole file atomically (the old one stays whole until the new one is complete), making its
   * folder if needed. Hosts that only lend their files for reading leave it out.
   */
  write?(path: string, bytes: Uint8Array): Promise<void>;
  /**
   * One folder for the UI's file browser: its folders and files (with kinds and sizes) and its parent;
   * '' is the home folder. Hosts without a file browser to offer leave it out.
   */
  listFolder?(path: string): Promise<FolderListing>;
}

/** A file could not be written (no permission, a full disk, a folder in the way); says which and why. */
export class FileWriteError extends Error {
  override name = 'FileWriteError';
}

export type { PathInfo } from '../api/host-files-protocol.js';

/**
 * A path inside a folder, as the host spells it: '/' works as a separator on every host, Windows too.
 * Windows also reads '\\' and a drive ('C:') in any part, so those are refused like '..'.
 */
export function joinPath(folder: string, relative: string): string {
  if (relative.split(/[\\/]/).some((part) => part === '..' || part === '' || part.includes(':')))
    throw new DatasetNotFoundError(`${folder}: '${relative}' is outside the folder`);
  return `${folder.replace(/[\\/]+$/, '')}/${relative}`;
}

/** The folder a path lies in ('/' or '\' separators). */
export function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut <= 0 ? path.slice(0, cut + 1) || '.' : path.slice(0, cut);
}

/** A model file or folder that is not there (a data set's is a DatasetNotFoundError). */
export class ModelNotFoundError extends Error {
  override name = 'ModelNotFoundError';
}

async function existing(files: HostFiles, path: string, missing: new (message: string) => Error = DatasetNotFoundError): Promise<PathInfo> {
  const info = await files.stat(path);
  if (!info) throw new missing(`${path}: no such file or folder`);
  return info;
}

/** A folder as a tree, or a single file as a tree of one. */
export async function openPathTree(files: HostFiles, path: string): Promise<FileTree> {
  const info = await existing(files, path);
  if (info.kind === 'folder') {
    let listing: Promise<FileEntry[]> | undefined;
    return { label: path, list: () => (listing ??= files.list(path)), read: async (file) => files.read(joinPath(path, file)) };
  }
  const name = baseName(path.replace(/\\/g, '/'));
  return {
    label: path,
    list: async () => [{ path: name, size: info.size }],
    read: async (file) => {
      if (file !== name) throw new DatasetNotFoundError(`${path}: no file '${file}'`);
      return files.read(path);
    },
  };
}

/** Plain .tar archives larger than this are indexed and read member by member, where the host reads ranges. */
export const WHOLE_ARCHIVE_BYTES = 256 * 2 ** 20;

/**
 * A data path as the user gives it: a folder, a data file, or a downloaded archive (read without extracting).
 * A plain .tar over `wholeArchiveBytes` is never held whole: its headers are read one by one, and each member
 * when it is needed (image folders larger than memory stream from it as from a folder). Compressed archives
 * cannot be read in pieces: they are inflated in memory.
 */
export async function openDataTree(files: HostFiles, path: string, wholeArchiveBytes = WHOLE_ARCHIVE_BYTES): Promise<FileTree> {
  const info = await existing(files, path);
  if (info.kind === 'file' && isArchiveName(baseName(path.replace(/\\/g, '/')))) {
    if (files.readRange && info.size > wholeArchiveBytes && !isGzip(await files.readRange(path, 0, 2))) return tarByRanges(files, path, info.size);
    return openArchiveTree(path, await files.read(path));
  }
  return openPathTree(files, path);
}

/** A plain tar as a tree whose members are read by range (`files.readRange` exists). */
async function tarByRanges(files: HostFiles, path: string, size: number): Promise<FileTree> {
  const readAt = async (offset: number, length: number) => {
    const bytes = await files.readRange!(path, offset, length);
    if (bytes.length < length) throw new DatasetFormatError(path, `the archive ended at byte ${offset + bytes.length} while it was read (it changed?)`);
    return bytes;
  };
  const members = await indexTar(readAt, size, path);
  return {
    label: path,
    list: async () => [...members].map(([file, member]) => ({ path: file, size: member.size })),
    read: async (file) => {
      const member = members.get(file);
      if (!member) throw new DatasetNotFoundError(`${path}: no file '${file}'`);
      return readAt(member.offset, member.size);
    },
  };
}

/**
 * A model path as the user gives it, as a FileTree for core/models/io: a .h5 or .keras file as a
 * tree of one, a folder as it is, and a tfjs model.json (whatever its name) as a tree of that JSON,
 * listed as model.json, and the weight files its manifest names, so other models beside it stay out.
 */
export async function openModelTree(files: HostFiles, path: string): Promise<FileTree> {
  const info = await existing(files, path, ModelNotFoundError);
  if (info.kind === 'file' && path.toLowerCase().endsWith('.onnx')) return onnxFileTree(files, path, info.size);
  if (info.kind === 'folder' || !path.toLowerCase().endsWith('.json')) return openPathTree(files, path);
  const folder = parentPath(path);
  const inside = (file: string) => (file === 'model.json' ? path : joinPath(folder, file));
  return {
    label: path,
    async list() {
      const entries: FileEntry[] = [{ path: 'model.json', size: info.size }];
      for (const shard of manifestPaths(new TextDecoder().decode(await files.read(path)))) {
        const shardInfo = await files.stat(inside(shard)).catch(() => undefined);
        if (shardInfo?.kind === 'file') entries.push({ path: shard, size: shardInfo.size }); // a missing one is reported by the format
      }
      return entries;
    },
    read: async (file) => files.read(inside(file)),
  };
}

/** One .onnx file; the external-data files it names are read from its folder. */
function onnxFileTree(files: HostFiles, path: string, size: number): FileTree {
  const name = baseName(path.replace(/\\/g, '/'));
  const folder = parentPath(path);
  return { label: path, list: async () => [{ path: name, size }], read: async (file) => files.read(file === name ? path : joinPath(folder, file)) };
}

/** The weight files a tfjs model.json names, relative to its folder; none if it is not such a file. */
function manifestPaths(text: string): string[] {
  try {
    const manifest = (JSON.parse(text) as { weightsManifest?: { paths?: unknown }[] }).weightsManifest;
    const paths = Array.isArray(manifest) ? manifest.flatMap((group) => (Array.isArray(group.paths) ? group.paths : [])) : [];
    return paths.filter((p): p is string => typeof p === 'string').map((p) => p.replace(/^(\.\/)+/, ''));
  } catch {
    return []; // not JSON: the tfjs format says so when it reads model.json
  }
}
