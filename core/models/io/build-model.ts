import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { KerasTopology } from './keras-config.js';
import { ModelFormatError } from './model-errors.js';
// Our custom layers must be registered before a config that names them is read.
import '../zero-pad-shortcut.js';
import './onnx/onnx-layers.js';

/** Builds the layers of a converted config, with fresh weights that the caller then replaces. */
export async function buildModel(topology: KerasTopology, file: string): Promise<tfl.LayersModel> {
  try {
    return await tfl.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] });
  } catch (error) {
    throw rebuildError(error, file);
  }
}

export function rebuildError(error: unknown, file: string): Error {
  if (error instanceof Error && error.name.endsWith('FormatError')) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ModelFormatError(file, `TensorFlow.js cannot rebuild the model from its config: ${message.split('\n')[0]}`);
}
