import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { DatasetNotFoundError, type FileEntry, type FileTree } from '../data/file-tree.js';
import { openPathAsTree } from './node-file-tree.js';

/**
 * A model path as the user gives it, as a FileTree for core/models/io: a .h5 or .keras file as a
 * tree of one, a folder as it is, and a tfjs model.json (whatever its name) as a tree of that JSON,
 * listed as model.json, and the weight files its manifest names, so other models beside it stay out.
 */
export async function openModelSource(path: string): Promise<FileTree> {
  const info = await stat(path).catch(() => {
    throw new DatasetNotFoundError(`${path}: no such file or folder`);
  });
  if (!info.isFile() || !basename(path).toLowerCase().endsWith('.json')) return openPathAsTree(path);
  const folder = dirname(path);
  const inside = (file: string) => {
    const full = join(folder, file === 'model.json' ? basename(path) : file);
    if (relative(folder, full).startsWith('..')) throw new DatasetNotFoundError(`${folder}: '${file}' is outside the folder`);
    return full;
  };
  return {
    label: path,
    async list() {
      const files: FileEntry[] = [{ path: 'model.json', size: info.size }];
      for (const shard of manifestPaths(await readFile(path, 'utf8'))) {
        const size = await stat(inside(shard)).then((s) => (s.isFile() ? s.size : undefined), () => undefined);
        if (size !== undefined) files.push({ path: shard, size }); // a missing one is reported by the format
      }
      return files;
    },
    read: async (file) => new Uint8Array(await readFile(inside(file))),
  };
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
