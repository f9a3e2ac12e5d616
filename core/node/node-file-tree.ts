import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { DatasetNotFoundError, type FileEntry, type FileTree } from '../data/file-tree.js';
import { asBytes } from './bytes.js';

/**
 * A folder on disk as a FileTree, or a single file as a tree of one. Archives are opened from their
 * bytes by the engine (core/data/archive), not here.
 */
export async function openPathAsTree(path: string): Promise<FileTree> {
  const info = await stat(path).catch(() => {
    throw new DatasetNotFoundError(`${path}: no such file or folder`);
  });
  if (info.isDirectory()) return folderTree(path);
  const name = basename(path);
  return {
    label: path,
    list: async () => [{ path: name, size: info.size }],
    read: async (file) => {
      if (file !== name) throw new DatasetNotFoundError(`${path}: no file '${file}'`);
      return asBytes(await readFile(join(dirname(path), name)));
    },
  };
}

function folderTree(root: string): FileTree {
  let listing: Promise<FileEntry[]> | undefined;
  return {
    label: root,
    list: () => (listing ??= listFolder(root)),
    read: async (file) => {
      const full = join(root, ...file.split('/'));
      if (relative(root, full).startsWith('..')) throw new DatasetNotFoundError(`${root}: '${file}' is outside the folder`);
      try {
        return asBytes(await readFile(full));
      } catch {
        throw new DatasetNotFoundError(`${root}: cannot read '${file}'`);
      }
    },
  };
}

async function listFolder(root: string): Promise<FileEntry[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error: Error) => {
    throw new DatasetNotFoundError(`${root}: cannot list the folder (${error.message})`);
  });
  const files: FileEntry[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const full = join(entry.parentPath, entry.name);
    // A file can vanish between listing and stat (temporary folders): leave it out.
    const size = await stat(full).then((s) => s.size, () => undefined);
    if (size !== undefined) files.push({ path: relative(root, full).split(sep).join('/'), size });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}
