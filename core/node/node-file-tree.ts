import type { FileTree } from '../data/file-tree.js';
import { openPathTree } from '../data/host-files.js';
import { nodeHostFiles } from './node-host-files.js';

/** A folder on disk as a FileTree, or a single file as a tree of one (archives are opened by openDataSource). */
export const openPathAsTree = (path: string): Promise<FileTree> => openPathTree(nodeHostFiles, path);
