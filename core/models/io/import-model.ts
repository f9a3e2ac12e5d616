import type { FileEntry, FileTree } from '../../data/file-tree.js';
import { checkFiniteWeights } from './finite-weights.js';
import { rememberInputContract } from '../input-contract.js';
import { kerasArchive } from './keras-archive-format.js';
import { kerasH5 } from './keras-h5-format.js';
import { ModelNotRecognisedError } from './model-errors.js';
import type { ImportedModel, ModelFormat } from './model-format.js';
import { onnxFormat } from './onnx/onnx-format.js';
import { tfjsLayers } from './tfjs-layers-format.js';

/** The first that matches wins: .keras archives before .h5 (an unzipped archive holds model.weights.h5). */
export const MODEL_FORMATS: readonly ModelFormat[] = [kerasArchive, kerasH5, tfjsLayers, onnxFormat];

export function detectModelFormat(label: string, files: readonly FileEntry[]): ModelFormat {
  const format = MODEL_FORMATS.find((f) => f.match(files));
  if (format) return format;
  const found =
    files.length === 0
      ? 'no files'
      : files
          .slice(0, 4)
          .map((f) => f.path)
          .join(', ') + (files.length > 4 ? ', ...' : '');
  throw new ModelNotRecognisedError(
    `${label}: not a model Pruneflow reads (found ${found}). Expected one of:\n` + MODEL_FORMATS.map((f) => `  - ${f.label}: ${f.expects}`).join('\n'),
  );
}

/** Reads a user's model from a folder, an archive or dropped files; its weights must all be finite. */
export async function importModel(tree: FileTree): Promise<ImportedModel> {
  const imported = await detectModelFormat(tree.label, await tree.list()).open(tree);
  try {
    checkFiniteWeights(imported.model, tree.label);
  } catch (error) {
    imported.model.dispose();
    throw error;
  }
  rememberInputContract(imported.model, imported.inputContract);
  return imported;
}
