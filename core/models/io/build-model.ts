import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { KerasTopology } from './keras-config.js';
import { ModelFormatError } from './model-errors.js';
import { buildWithin } from './weight-budget.js';
// Our custom layers must be registered before a config that names them is read.
import '../zero-pad-shortcut.js';
import './onnx/onnx-layers.js';

/**
 * Builds the layers of a converted config, with zero weights that the caller then replaces by the file's
 * `weights` (all of them, counted first: a config may not make the model bigger than its weights).
 */
export async function buildModel(topology: KerasTopology, file: string, weights: Iterable<readonly { values: ArrayLike<number> }[]>): Promise<tfl.LayersModel> {
  let values = 0;
  for (const arrays of weights) for (const array of arrays) values += array.values.length;
  try {
    return await buildWithin(values, file, () => tfl.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] }));
  } catch (error) {
    throw rebuildError(error, file);
  }
}

export function rebuildError(error: unknown, file: string): Error {
  if (error instanceof Error && (error.name.endsWith('FormatError') || error.name === 'InputLimitError')) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ModelFormatError(file, `TensorFlow.js cannot rebuild the model from its config: ${message.split('\n')[0]}`);
}
