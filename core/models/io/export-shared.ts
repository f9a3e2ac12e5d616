import type * as tfl from '@tensorflow/tfjs-layers';
import { sharedLayers } from '../model-calls.js';
import { ModelExportError } from './model-errors.js';

/**
 * The ONNX and TFLite writers write each layer once, where it is called: a layer called several times (shared
 * weights) is refused by name rather than written as a wrong graph. Keras and TensorFlow.js files keep it shared.
 */
export function refuseSharedLayers(model: tfl.LayersModel, format: string): void {
  const [first] = sharedLayers(model);
  if (first)
    throw new ModelExportError(
      format,
      first.name,
      `layer '${first.name}' is called ${first.calls} times (shared weights), which this writer cannot express. What to do: export as Keras (.keras ` +
        `or .h5) or TensorFlow.js, which keep the layer shared.`,
    );
}
