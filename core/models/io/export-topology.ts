import type * as tfl from '@tensorflow/tfjs-layers';
import type { KerasTopology } from './keras-config.js';
import { ModelExportError } from './model-errors.js';
import { restoreDepthMultiplier } from '../../backend/tfjs-compat/depth-multiplier.js';

/**
 * The model's config in the Keras 2 shape, as TensorFlow.js writes it, with what tfjs-layers 4.22
 * leaves out put back: SeparableConv2D's getConfig drops depth_multiplier.
 */
export function layersTopology(model: tfl.LayersModel): KerasTopology {
  return patchTopology(model.toJSON(null, false) as unknown as KerasTopology, model);
}

export function patchTopology(topology: KerasTopology, model: tfl.LayersModel): KerasTopology {
  restoreDepthMultiplier(topology.config.layers, model);
  return topology;
}

/** Layers whose tfjs config Keras reads as its own (same class name and arguments). */
const KERAS_LAYERS = new Set([
  'InputLayer',
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'Softmax',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'ZeroPadding2D',
  'Flatten',
  'Dense',
  'Dropout',
  'Add',
  'Concatenate',
  'Reshape',
  'Multiply',
  'Subtract',
  'Average',
  'Maximum',
  'Minimum',
  'UpSampling2D',
  'Cropping2D',
  'SpatialDropout2D',
  'Permute',
  'Conv2DTranspose',
]);

/**
 * Keras has no class for our own layers (ZeroPadShortcut) or other tfjs-only ones, so a Keras file
 * naming them could not be loaded: refuse, naming the layer. The tfjs format keeps them.
 */
export function checkKerasLayers(model: tfl.LayersModel, format: string, alsoWritable: ReadonlySet<string> = new Set()): void {
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (KERAS_LAYERS.has(className) || alsoWritable.has(className)) continue;
    const hint = className === 'ZeroPadShortcut' ? ' (a Pruneflow layer of the CIFAR ResNets)' : '';
    throw new ModelExportError(
      format,
      layer.name,
      `layer '${layer.name}' is a ${className}${hint}, which Keras does not have, so ` +
        `Keras could not load the file. Save it in the TensorFlow.js format instead.`,
    );
  }
}
