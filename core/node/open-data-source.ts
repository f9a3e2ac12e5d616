import type { FileTree } from '../data/file-tree.js';
import { openDataTree } from '../data/host-files.js';
import { nodeHostFiles } from './node-host-files.js';

/** A path as the user gives it: a folder, a data file, or a downloaded archive (read without extracting). */
export const openDataSource = (path: string): Promise<FileTree> => openDataTree(nodeHostFiles, path);
