import * as tfl from '@tensorflow/tfjs-layers';
import { InputLimitError, inputLimits } from '../../data/input-limits.js';
import { ModelFormatError } from './model-errors.js';

/**
 * A model read from a file is built from its config before its weights are set, and TensorFlow.js
 * allocates every weight as it builds: a config that says `units: 1e9` would take gigabytes (and
 * minutes) before any check on the weights could fail. While `buildWithin` runs, every weight a layer
 * creates is counted against the values the file holds, before it is allocated, and starts as zeros
 * (the file's values replace it, so random initialisation would be wasted time).
 */
interface Budget {
  left: number;
  held: number;
  file: string;
}

let active: Budget | undefined;

type AddWeight = (this: { name: string; fastWeightInitDuringBuild?: boolean }, name: string, shape: number[], ...rest: unknown[]) => unknown;
const layerPrototype = tfl.layers.Layer.prototype as unknown as { addWeight: AddWeight };
const addWeight = layerPrototype.addWeight;
layerPrototype.addWeight = function (name, shape, ...rest) {
  if (active) {
    const values = shape.reduce((a, b) => a * b, 1);
    if (!(values <= active.left)) {
      throw new ModelFormatError(
        active.file,
        `layer '${this.name}' would create a weight '${name}' of shape [${shape}], more values than the file holds for the whole model (${active.held})`,
      );
    }
    active.left -= values;
    // A file may hold that many (a genuine giant): the global cap still applies, counted over the whole model.
    const built = active.held - active.left;
    if (built * 4 > inputLimits().maxUnpackedBytes)
      throw new InputLimitError(active.file, 'maxUnpackedBytes', `the model's weights come to ${built * 4} bytes by layer '${this.name}'`);
    this.fastWeightInitDuringBuild = true;
  }
  return addWeight.call(this, name, shape, ...rest);
};

/**
 * Runs `build` (which must create the model's layers synchronously, as tfl.models.modelFromJSON does
 * before its first await) with at most `values` weight values, the number the file holds.
 */
export function buildWithin<T>(values: number, file: string, build: () => T): T {
  const previous = active;
  active = { left: values, held: values, file };
  try {
    return build();
  } finally {
    active = previous;
  }
}
