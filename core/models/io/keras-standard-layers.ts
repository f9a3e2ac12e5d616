import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { shortcutSources, type ZeroPadShortcut } from '../zero-pad-shortcut.js';
import type { KerasTopology } from './keras-config.js';
import { layersTopology } from './export-topology.js';

/** Pruneflow layers that the Keras formats write as standard layers. */
export const STANDARD_EQUIVALENT: ReadonlySet<string> = new Set(['ZeroPadShortcut']);

/**
 * Pruneflow's own layers written as standard Keras layers with the same outputs, for the Keras formats. The
 * option-A shortcut (subsample by a stride, copy input channels to output channels, zeros elsewhere) is a 1x1
 * Conv2D with that stride, 'valid' padding, no bias and a fixed 0/1 kernel, marked not trainable: x[:, ::s, ::s]
 * times a selection matrix, exact in float32.
 * Returns the model itself when it has none of them; else a new model (the caller disposes it).
 */
export async function withStandardLayers(model: tfl.LayersModel): Promise<{ model: tfl.LayersModel; converted: boolean }> {
  const shortcuts = model.layers.filter((l) => l.getClassName() === 'ZeroPadShortcut') as ZeroPadShortcut[];
  if (shortcuts.length === 0) return { model, converted: false };
  const topology: KerasTopology = layersTopology(model);
  const byName = new Map(shortcuts.map((l) => [l.name, l]));
  for (const entry of topology.config.layers) {
    const layer = byName.get(entry.name ?? (entry.config.name as string));
    if (!layer) continue;
    entry.class_name = 'Conv2D';
    entry.config = {
      name: layer.name,
      trainable: false,
      dtype: 'float32',
      filters: layer.outChannels,
      kernel_size: [1, 1],
      strides: [layer.stride, layer.stride],
      padding: 'valid',
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: 'linear',
      use_bias: false,
      kernel_initializer: { class_name: 'Zeros', config: {} },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    };
  }
  const out = await tfl.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] });
  for (const layer of model.layers) {
    const shortcut = byName.get(layer.name);
    if (shortcut) {
      const inChannels = (shortcut.input as tfl.SymbolicTensor).shape.at(-1) as number;
      const kernel = tf.tidy(() => tf.tensor4d(selection(shortcut, inChannels), [1, 1, inChannels, shortcut.outChannels]));
      out.getLayer(layer.name).setWeights([kernel]);
      kernel.dispose();
    } else if (layer.weights.length > 0) {
      out.getLayer(layer.name).setWeights(layer.getWeights());
    }
  }
  return { model: out, converted: true };
}

/** The 0/1 matrix [in, out] that copies input channel sourceChannels[o] (or channel o, unpruned) to output o. */
function selection(layer: ZeroPadShortcut, inChannels: number): Float32Array {
  const out = layer.outChannels;
  const matrix = new Float32Array(inChannels * out);
  const sources = shortcutSources(layer.sourceChannels, out, inChannels);
  sources.forEach((c, o) => c >= 0 && (matrix[c * out + o] = 1));
  return matrix;
}
