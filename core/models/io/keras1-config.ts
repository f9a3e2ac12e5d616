import type { KerasLayer, KerasTopology } from './keras-config.js';
import { ModelFormatError, UnsupportedLayerError } from './model-errors.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keras 1 class names and the Keras 2 classes they became. */
const RENAMED: Record<string, string> = {
  Convolution2D: 'Conv2D',
  AtrousConvolution2D: 'Conv2D',
  SeparableConvolution2D: 'SeparableConv2D',
};
const MERGE_MODES: Record<string, string> = { sum: 'Add', mul: 'Multiply', ave: 'Average', max: 'Maximum', concat: 'Concatenate' };
/** Keras 1 options that only matter while training (initializers, regularizers, constraints) or are implied. */
const DROPPED = [
  'init',
  'inner_init',
  'W_regularizer',
  'b_regularizer',
  'gamma_regularizer',
  'beta_regularizer',
  'activity_regularizer',
  'W_constraint',
  'b_constraint',
];
/** Options only Keras 1 wrote: a config with one of them is read as Keras 1. */
const KERAS1_KEYS = ['dim_ordering', 'border_mode', 'nb_filter', 'subsample', 'init', 'W_regularizer'];
/** Keras 1 option names that Keras 2 kept for other layers (Embedding's output_dim). */
const KERAS1_CLASS_KEYS: Record<string, string> = { Dense: 'output_dim', BatchNormalization: 'mode', Dropout: 'p' };

const move = (config: Json, from: string, to: string, map: (v: unknown) => unknown = (v) => v) => {
  if (from in config) {
    if (config[from] !== undefined && !(to in config)) config[to] = map(config[from]);
    delete config[from];
  }
};

/**
 * Rewrites a Keras 1.x model config (Keras 1.2's get_config: `Convolution2D` with `nb_filter`, `nb_row`,
 * `nb_col`, `subsample`, `border_mode`, `dim_ordering`; `Dense` with `output_dim`; `Dropout` with `p`; `Merge`
 * layers) in place into the Keras 2 shape; `dim_ordering: 'th'` becomes `data_format: 'channels_first'`, which
 * keras-channels-first.ts then converts to channels-last as for Keras 2 files. Returns whether the config was Keras 1.
 */
export function upgradeKeras1(model: KerasTopology, file: string, warnings: string[]): boolean {
  const orderings = new Set<string>();
  let keras1 = false;
  const visit = (layers: unknown[]) =>
    layers.forEach((layer) => {
      if (!isObject(layer) || !isObject(layer.config)) return;
      const config = layer.config;
      if (typeof config.dim_ordering === 'string') orderings.add(config.dim_ordering);
      const renamed = typeof layer.class_name === 'string' && (layer.class_name in RENAMED || layer.class_name === 'Merge');
      const classKey = KERAS1_CLASS_KEYS[String(layer.class_name)];
      keras1 ||= renamed || KERAS1_KEYS.some((key) => key in config) || (classKey !== undefined && classKey in config);
      if (Array.isArray(config.layers)) visit(config.layers);
    });
  visit(model.config.layers);
  if (!keras1) return false;
  if (orderings.has('th') && orderings.has('tf'))
    throw new ModelFormatError(file, "mixes channels-first ('th') and channels-last ('tf') layers, which Pruneflow cannot convert");
  if (orderings.has('th')) {
    if (model.config.layers.some((l) => isObject(l) && Array.isArray((l.config as Json | undefined)?.layers)))
      throw new ModelFormatError(file, 'is a channels-first Keras 1 model that holds nested models, which Pruneflow cannot convert');
    warnings.push(
      "the Keras 1 model is channels-first (dim_ordering 'th'): it was converted to take height x width x channels images. " +
        'Where the file does not say which backend trained it, the kernels are read as TensorFlow uses them (a Theano-trained model needs its ' +
        'kernels flipped first).',
    );
  }
  const warn = (note: string) => warnings.includes(note) || warnings.push(note);
  const upgrade = (layers: unknown[]) =>
    layers.forEach((layer) => {
      if (!isObject(layer) || typeof layer.class_name !== 'string' || !isObject(layer.config)) return;
      upgradeLayer(layer as unknown as KerasLayer, file, warn);
      if (Array.isArray(layer.config.layers)) upgrade(layer.config.layers);
    });
  upgrade(model.config.layers);
  return true;
}

/** One layer's Keras 1 class name and options as Keras 2's. */
function upgradeLayer(layer: KerasLayer, file: string, warn: (note: string) => void): void {
  const config = layer.config;
  const name = String(config.name ?? layer.name ?? '?');
  const unsupported = (detail: string) => new UnsupportedLayerError(file, name, layer.class_name, detail);
  if (layer.class_name === 'Merge') {
    if (Array.isArray(config.layers)) throw unsupported('merges whole Sequential branches (the Keras 1 Merge of models): rebuild it as a functional model');
    const target = MERGE_MODES[String(config.mode)];
    if (config.mode_type !== undefined && config.mode_type !== 'raw') throw unsupported('merges with a Python function, which cannot be rebuilt');
    if (!target) throw unsupported(`merges in mode '${String(config.mode)}', which Pruneflow cannot rebuild`);
    layer.class_name = target;
    layer.config = { name, trainable: config.trainable ?? true, ...(target === 'Concatenate' && { axis: config.concat_axis ?? -1 }) };
    return;
  }
  layer.class_name = RENAMED[layer.class_name] ?? layer.class_name;
  move(config, 'input_dtype', 'dtype');
  if (DROPPED.some((key) => key.endsWith('regularizer') && config[key] != null))
    warn("the Keras 1 model's weight regularizers are dropped: Pruneflow fine-tunes with its own weight decay");
  for (const key of DROPPED) delete config[key];
  if (layer.class_name === 'Dense') {
    move(config, 'output_dim', 'units');
    delete config.input_dim;
  }
  move(config, 'bias', 'use_bias');
  move(config, 'border_mode', 'padding', (mode) => {
    if (mode !== 'same' && mode !== 'valid') throw unsupported(`uses border_mode '${String(mode)}', which Keras 2 and TensorFlow.js lack`);
    return mode;
  });
  move(config, 'dim_ordering', 'data_format', (ordering) => (ordering === 'th' ? 'channels_first' : 'channels_last'));
  move(config, 'nb_filter', 'filters');
  if ('nb_row' in config || 'nb_col' in config) {
    config.kernel_size ??= [config.nb_row, config.nb_col];
    delete config.nb_row;
    delete config.nb_col;
  }
  move(config, 'subsample', 'strides');
  move(config, 'atrous_rate', 'dilation_rate');
  if (layer.class_name === 'Dropout' || layer.class_name === 'SpatialDropout2D') move(config, 'p', 'rate');
  if (layer.class_name === 'BatchNormalization' && 'mode' in config) {
    if (config.mode !== 0)
      throw unsupported(`uses Keras 1 mode ${String(config.mode)} (normalizing each batch or sample as it comes), which has no Keras 2 form`);
    delete config.mode;
  }
  if (layer.class_name === 'ZeroPadding2D' && isObject(config.padding)) {
    const p = config.padding;
    const n = (key: string) => (typeof p[key] === 'number' ? p[key] : 0);
    config.padding = [
      [n('top_pad'), n('bottom_pad')],
      [n('left_pad'), n('right_pad')],
    ];
  } else if (layer.class_name === 'ZeroPadding2D' && Array.isArray(config.padding) && config.padding.length === 4) {
    const [top, bottom, left, right] = config.padding as number[];
    config.padding = [
      [top, bottom],
      [left, right],
    ];
  }
}
