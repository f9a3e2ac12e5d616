import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { isDataset, type Group } from './hdf5.js';
import { ModelFormatError } from './model-errors.js';

/** One weight array copied out of a file, before the model exists. */
export interface WeightArray {
  /** Where it was read, for messages ("model_weights/conv/conv/kernel:0"). */
  path: string;
  shape: number[];
  values: Float32Array;
}

/** Reads a numeric dataset as float32. */
export function readWeight(group: Group, name: string, file: string): WeightArray {
  const path = `${group.path.replace(/^\//, '')}/${name}`.replace(/^\//, '');
  const entity = group.get(name);
  if (!isDataset(entity)) throw new ModelFormatError(file, `no weight array at '${path}'`);
  const { type, size } = entity.metadata;
  if (type !== 1 || size !== 4) {
    // h5wasm has no float16 reader; float64 and integers were converted when the file was read.
    if (type === 1 && size === 2) throw new ModelFormatError(file, `weight '${path}' is float16, which Pruneflow cannot read: save float32 weights`);
    if (type !== 0 && type !== 1) throw new ModelFormatError(file, `weight '${path}' is not numeric (HDF5 type class ${type})`);
  }
  return { path, shape: entity.shape, values: entity.value };
}

/** Sets the weights of one layer, checking their number and shapes against what the config built. */
export function setLayerWeights(model: tfl.LayersModel, layerName: string, arrays: readonly WeightArray[], file: string): void {
  const layer = model.getLayer(layerName);
  const expected = layer.weights;
  if (arrays.length !== expected.length) {
    throw new ModelFormatError(file, `layer '${layerName}' (${layer.getClassName()}) needs ${expected.length} weight arrays, the file has ${arrays.length}`);
  }
  arrays.forEach((array, i) => {
    const want = expected[i].shape;
    if (array.shape.length !== want.length || array.shape.some((n, d) => n !== want[d])) {
      throw new ModelFormatError(
        file,
        `weight '${array.path}' has shape [${array.shape}], layer '${layerName}' expects [${want}] for ${expected[i].originalName}`,
      );
    }
  });
  const tensors = arrays.map((a) => tf.tensor(a.values, a.shape, 'float32'));
  layer.setWeights(tensors);
  tf.dispose(tensors);
}

/** Fails when a layer that has weights got none from the file. */
export function checkAllSet(model: tfl.LayersModel, set: ReadonlySet<string>, file: string): void {
  const missing = model.layers.filter((l) => l.weights.length > 0 && !set.has(l.name));
  if (missing.length > 0)
    throw new ModelFormatError(file, `no weights for layer${missing.length > 1 ? 's' : ''} ${missing.map((l) => `'${l.name}'`).join(', ')}`);
}
