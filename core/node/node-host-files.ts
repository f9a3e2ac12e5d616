import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DatasetNotFoundError, type FileEntry } from '../data/file-tree.js';
import type { HostFiles } from '../data/host-files.js';
import { readError } from './fs-errors.js';
import { listFolder } from './list-folder.js';
import { notRegular, readFileRange, readRegularFile } from './read-file.js';
import { policyWriter } from './write-target.js';

/** A page's writes: Pruneflow's own files, never hidden ones, checked on the real path (core/data/write-policy.ts). */
const pageWrites = policyWriter('page');

/**
 * This computer's files, for an engine on Node and for the hosts that hand files to an engine in a page.
 * Only regular files and folders are read (a device or FIFO is refused by name); writes follow the
 * page's write policy, since the hosts lend `write` only to pages (serve's endpoint, the desktop IPC).
 */
export const nodeHostFiles: HostFiles = {
  async stat(path) {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw readError(path, error);
    });
    if (!info) return undefined;
    if (info.isDirectory()) return { kind: 'folder' };
    if (info.isFile()) return { kind: 'file', size: info.size };
    throw notRegular(path);
  },
  read: readRegularFile,
  readRange: readFileRange,
  list: listFiles,
  listFolder,
  async write(path, bytes) {
    await pageWrites.writeFile(path, bytes);
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
    const size = await stat(full).then(
      (s) => s.size,
      () => undefined,
    );
    if (size !== undefined) files.push({ path: relative(root, full).split(sep).join('/'), size });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}
