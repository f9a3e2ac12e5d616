import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { DatasetNotFoundError, type FileEntry } from '../data/file-tree.js';
import { FileWriteError, type HostFiles } from '../data/host-files.js';
import { asBytes } from './bytes.js';
import { listFolder } from './list-folder.js';
import { writeFileAtomically } from './write-files.js';

/** This computer's files, for an engine on Node and for the hosts that hand files to an engine in a page. */
export const nodeHostFiles: HostFiles = {
  async stat(path) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) return { kind: 'folder' };
    return info?.isFile() ? { kind: 'file', size: info.size } : undefined;
  },
  async read(path) {
    try {
      return asBytes(await readFile(path));
    } catch (error) {
      throw new DatasetNotFoundError(`${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  },
  list: listFiles,
  listFolder,
  async write(path, bytes) {
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomically(path, bytes);
    } catch (error) {
      throw new FileWriteError(`${path}: cannot write the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  },
};

async function listFiles(root: string): Promise<FileEntry[]> {
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
