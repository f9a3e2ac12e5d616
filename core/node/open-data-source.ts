import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { isArchiveName, openArchiveTree } from '../data/archive/index.js';
import { DatasetNotFoundError, type FileTree } from '../data/file-tree.js';
import { openPathAsTree } from './node-file-tree.js';
import { asBytes } from './bytes.js';

/** A path as the user gives it: a folder, a data file, or a downloaded archive (read without extracting). */
export async function openDataSource(path: string): Promise<FileTree> {
  const info = await stat(path).catch(() => {
    throw new DatasetNotFoundError(`${path}: no such file or folder`);
  });
  if (info.isFile() && isArchiveName(basename(path))) return openArchiveTree(path, asBytes(await readFile(path)));
  return openPathAsTree(path);
}
