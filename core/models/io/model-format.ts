import type * as tfl from '@tensorflow/tfjs-layers';
import type { FileEntry, FileTree } from '../../data/file-tree.js';
import type { InputContract } from '../input-contract.js';

export interface ImportedModel {
  model: tfl.LayersModel;
  /** The id of the format it was read from ('tfjs-layers', 'keras-h5', 'keras'). */
  format: string;
  /** Things a user should know that do not stop the import (e.g. a mixed-precision policy dropped). */
  warnings: string[];
  /** How the model expects its images, where the files say (Teachable Machine metadata, a Pruneflow export). */
  inputContract?: InputContract;
}

/** One model format: recognises its files and opens them. One module per format. */
export interface ModelFormat {
  id: string;
  label: string;
  /** What this format's files look like, for "expected ..." messages. */
  expects: string;
  /** Whether `files` hold this format. Cheap: looks at names only. */
  match(files: readonly FileEntry[]): boolean;
  open(tree: FileTree): Promise<ImportedModel>;
}

/** The file of `files` whose name fits, the shallowest first (a folder may hold copies in subfolders). */
export function findFile(files: readonly FileEntry[], fits: (name: string) => boolean): FileEntry | undefined {
  const depth = (path: string) => path.split('/').length;
  return files.filter((f) => fits(f.path.slice(f.path.lastIndexOf('/') + 1))).sort((a, b) => depth(a.path) - depth(b.path))[0];
}
