import type { KerasTopology } from './keras-config.js';
import { ModelFormatError, UnsupportedLayerError } from './model-errors.js';

/** What a channels-first model needs once its config reads channels-last. */
export interface ChannelsFirst {
  /** Convolutions whose kernels the file holds as (filters, inputs, rows, cols) (Keras 1 'th'). */
  kernels: Set<string>;
  /** Flatten layers that flattened (channels, rows, cols): the dense layers after them read rows in that order. */
  flattens: Set<string>;
}

const RANK_TWO = new Set(['Flatten', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D']);
/** Layers whose meaning depends on where the channels are and that no axis option can move. */
const AXIS_BOUND = new Set(['Reshape', 'Permute', 'Lambda', 'RepeatVector', 'Dense', 'LayerNormalization', 'Softmax']);
/** Layers with a channel axis option: on a channels-first image it must be 1 (or -3). */
const AXIS_OPTION = new Set(['BatchNormalization', 'Concatenate']);

/**
 * Rewrites a channels-first model's config (Keras 2/3 `data_format: 'channels_first'`, or a Keras 1 'th' model once
 * upgraded) in place for channels-last inputs, following each tensor's rank (a rank-4 tensor is channels x rows x
 * cols) through the graph: the input shape is transposed, data formats become channels_last, channel axes move
 * from 1 to -1. Returns which weights change order when read (keras1-weights.ts), or undefined for a channels-last
 * model. `keras1`: the kernels are Keras 1's (filters, inputs, rows, cols).
 */
export function channelsFirstToLast(model: KerasTopology, file: string, keras1: boolean): ChannelsFirst | undefined {
  const layers = model.config.layers;
  const formats = (format: string) => layers.filter((l) => l.class_name !== 'Flatten' && l.config.data_format === format);
  const first = formats('channels_first');
  if (first.length === 0) return undefined;
  const last = formats('channels_last');
  if (last.length > 0)
    throw new ModelFormatError(file, `mixes channels-first ('${first[0].name}') and channels-last ('${last[0].name}') layers, which Pruneflow cannot convert`);
  const found: ChannelsFirst = { kernels: new Set(), flattens: new Set() };
  const ranks = new Map<string, number>();
  let previous: number | undefined;
  for (const layer of layers) {
    const config = layer.config;
    const name = String(config.name ?? layer.name);
    const unsupported = (detail: string) => new UnsupportedLayerError(file, name, layer.class_name, detail);
    const shape = config.batch_input_shape;
    if (Array.isArray(shape) && shape.length === 4) config.batch_input_shape = [shape[0], shape[2], shape[3], shape[1]];
    const inbound = Array.isArray(layer.inbound_nodes) && layer.inbound_nodes.length > 0 ? firstInbound(layer.inbound_nodes) : undefined;
    const rank = Array.isArray(shape) ? shape.length : inbound !== undefined ? ranks.get(inbound) : previous;
    if (rank === undefined) throw new ModelFormatError(file, `cannot follow the input of layer '${name}' to convert the channels-first model`);
    let out = rank;
    if (RANK_TWO.has(layer.class_name)) out = 2;
    if (layer.class_name === 'Reshape' && Array.isArray(config.target_shape)) out = config.target_shape.length + 1;
    if (config.data_format === 'channels_first' && rank !== 4)
      throw unsupported(`is a channels-first layer on a rank-${rank} tensor; Pruneflow converts channels-first images only`);
    if (rank === 4) {
      if (layer.class_name === 'SeparableConv2D' && keras1) throw unsupported('is a channels-first separable convolution, which Pruneflow cannot convert');
      if (layer.class_name === 'Conv2D' && keras1) found.kernels.add(name);
      // A Flatten told its input is channels-first moves the channels last before flattening (Keras 2.2 and later).
      if (layer.class_name === 'Flatten' && config.data_format !== 'channels_first') found.flattens.add(name);
      if (AXIS_OPTION.has(layer.class_name)) {
        const axis = layer.class_name === 'Concatenate' ? (config.axis ?? -1) : config.axis;
        if (axis !== 1 && axis !== -3) {
          const what = layer.class_name === 'Concatenate' ? 'concatenates' : 'normalizes';
          throw unsupported(`${what} along axis ${String(axis)} of a channels-first image, not its channels`);
        }
        config.axis = -1;
      }
      if (AXIS_BOUND.has(layer.class_name)) throw unsupported('works on the axis order of a channels-first image, which Pruneflow cannot convert');
    }
    if ('data_format' in config) config.data_format = 'channels_last';
    ranks.set(name, out);
    previous = out;
  }
  return found;
}

/** The layer a Keras 1/2 call node reads first: [[['layer', node, tensor], ...], ...]. */
function firstInbound(nodes: unknown[]): string | undefined {
  const first = nodes[0];
  const ref = Array.isArray(first) ? first[0] : undefined;
  return Array.isArray(ref) && typeof ref[0] === 'string' ? ref[0] : undefined;
}
