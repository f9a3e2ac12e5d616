import type { FileTree } from '../data/file-tree.js';
import { openModelTree } from '../data/host-files.js';
import { nodeHostFiles } from './node-host-files.js';

/** A model path as the user gives it: a .h5/.keras/.onnx file, a folder, or a tfjs model.json and the weights it names. */
export const openModelSource = (path: string): Promise<FileTree> => openModelTree(nodeHostFiles, path);
