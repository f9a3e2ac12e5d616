import { checkCallGraph } from './keras-graph-check.js';
import { applyLayerRules, tfjsHasLayer } from './keras-layer-rules.js';
import { channelsFirstToLast, type ChannelsFirst } from './keras-channels-first.js';
import { upgradeKeras1 } from './keras1-config.js';
import { flattenModel, isModelEntry, MODEL_CLASSES, type LayerOrigin } from './keras-nesting.js';
import { kerasSaveablePath } from './keras3-paths.js';
import { ModelFormatError, UnsupportedLayerError } from './model-errors.js';

export type { LayerOrigin } from './keras-nesting.js';

type Json = Record<string, unknown>;

export interface KerasLayer {
  class_name: string;
  name: string;
  config: Json;
  inbound_nodes?: unknown[];
}

/** A model config in the Keras 2 shape TensorFlow.js deserializes. */
export interface KerasTopology {
  class_name: string;
  config: Json & { name?: string; layers: KerasLayer[]; input_layers?: unknown[]; output_layers?: unknown[] };
}

const MODELS = MODEL_CLASSES;
/** Keras 3 bookkeeping that Keras 2 configs never had. */
const DROP = new Set(['module', 'registered_name', 'build_config', 'compile_config', 'shared_object_id']);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A model config in the shape TensorFlow.js reads, and where each of its layers sat in the file. */
export interface KerasModelConfig {
  topology: KerasTopology;
  /** By layer name; a nested model's layers were flattened into the top-level graph. */
  origins: Map<string, LayerOrigin>;
  /** A channels-first model converted to channels-last: which weights change order when read. */
  channelsFirst?: ChannelsFirst;
}

/**
 * Turns a Keras 1/2-era, Keras 2 or Keras 3 model config into the Keras 2 shape TensorFlow.js reads:
 * Keras 1 layer names and options upgraded (keras1-config.ts), Keras 3 wrappers removed, dtype policies reduced to
 * a dtype, call nodes as [layer, node, tensor, kwargs], a Sequential's plain list of layers (Keras 2.1 and older) given its name, and nested models flattened.
 */
export function kerasToTfjs(raw: unknown, file: string, warnings: string[]): KerasTopology {
  return readKerasConfig(raw, file, warnings).topology;
}

export function readKerasConfig(raw: unknown, file: string, warnings: string[]): KerasModelConfig {
  const config = convertKerasConfig(raw, file, warnings);
  checkCallGraph(config.topology, file);
  const channelsFirst = channelsFirstToLast(config.topology, file, config.keras1);
  if (channelsFirst && !config.keras1)
    warnings.push(
      "the model is channels-first (data_format 'channels_first'): it was converted to take height x width x channels images, " +
        'and its exports are channels-last',
    );
  return { topology: config.topology, origins: config.origins, ...(channelsFirst && { channelsFirst }) };
}

function convertKerasConfig(raw: unknown, file: string, warnings: string[]): KerasModelConfig & { keras1: boolean } {
  if (!isObject(raw) || typeof raw.class_name !== 'string' || !(isObject(raw.config) || Array.isArray(raw.config))) {
    throw new ModelFormatError(file, 'the model config has no class_name and config');
  }
  const buildShape = isObject(raw.build_config) ? raw.build_config.input_shape : undefined;
  const model = plain(listConfig(raw), warnings) as KerasTopology;
  if (!MODELS.has(model.class_name)) {
    throw new ModelFormatError(
      file,
      `the model is a ${model.class_name}: Pruneflow reads Sequential and functional models (a subclassed model has no config to rebuild it from)`,
    );
  }
  const keras1 = Array.isArray(model.config.layers) && upgradeKeras1(model, file, warnings);
  convertModelConfig(model.class_name, model.config, file);
  const layers = model.config.layers;
  if (layers.some(isModelEntry)) return { ...flattenModel(model, file), keras1 };
  if (model.class_name === 'Sequential') {
    // Keras writes a Sequential model's input as an InputLayer; tfjs keeps it as the first layer's shape.
    if (layers[0]?.class_name === 'InputLayer' && layers.length > 1) {
      const [input] = layers.splice(0, 1);
      layers[0].config.batch_input_shape ??= input.config.batch_input_shape;
      layers[0].config.dtype ??= input.config.dtype;
    }
    // A Keras 3 Sequential model built by calling it has its input shape only in build_config.
    const first = layers[0]?.config;
    if (first && first.batch_input_shape == null && Array.isArray(buildShape)) first.batch_input_shape = buildShape;
  }
  const pathOf = kerasSaveablePath();
  const origins = new Map(layers.map((l): [string, LayerOrigin] => [l.name, { name: l.name, topLayer: l.name, keras3Path: `layers/${pathOf(l.class_name)}` }]));
  return { topology: model, origins, keras1 };
}

/** Keras 2.1 and older wrote a Sequential model's config as the bare list of its layers. */
function listConfig(raw: Json): Json {
  if (!Array.isArray(raw.config)) return raw;
  return { ...raw, config: { name: typeof raw.name === 'string' ? raw.name : 'sequential', layers: raw.config.map((l) => (isObject(l) ? listConfig(l) : l)) } };
}

/** Converts a model's layers in place, nested models' layers too. */
function convertModelConfig(className: string, config: KerasTopology['config'], file: string): void {
  if (!Array.isArray(config.layers)) throw new ModelFormatError(file, `the model config${config.name ? ` of '${config.name}'` : ''} lists no layers`);
  config.layers = config.layers.map((layer) => convertLayer(layer, file));
  if (className !== 'Sequential') {
    config.input_layers = tensorRefs(config.input_layers, file);
    config.output_layers = tensorRefs(config.output_layers, file);
  }
}

/** Copies a JSON value without Keras 3 wrappers (tuples, bookkeeping keys, dtype policies). */
function plain(value: unknown, warnings: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => plain(v, warnings));
  if (!isObject(value)) return value;
  if (value.class_name === '__tuple__' && isObject(value.config)) return plain(value.config.value, warnings);
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (!DROP.has(key)) out[key] = key === 'dtype' ? dtypeName(v, warnings) : plain(v, warnings);
  }
  return out;
}

function dtypeName(value: unknown, warnings: string[]): unknown {
  if (!isObject(value)) return value;
  const name = isObject(value.config) ? value.config.name : undefined;
  if (typeof name !== 'string') return 'float32';
  if (!name.startsWith('mixed_')) return name;
  const note = `the mixed-precision policy '${name}' is dropped: the model computes in float32`;
  if (!warnings.includes(note)) warnings.push(note);
  return 'float32';
}

function convertLayer(raw: unknown, file: string): KerasLayer {
  const entry = isObject(raw) ? listConfig(raw) : raw;
  if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config)) {
    throw new ModelFormatError(file, `a layer entry has no class_name and config: ${String(JSON.stringify(entry)).slice(0, 120)}`);
  }
  const className = entry.class_name;
  const config = entry.config;
  const name = String(entry.name ?? config.name ?? '?');
  config.name = name;
  const unsupported = (detail: string) => new UnsupportedLayerError(file, name, className, detail);
  if (MODELS.has(className)) {
    convertModelConfig(className, config as KerasTopology['config'], file);
    const layer: KerasLayer = { class_name: className, name, config };
    if (Array.isArray(entry.inbound_nodes)) layer.inbound_nodes = entry.inbound_nodes.map((node) => convertNode(node, unsupported));
    return layer;
  }
  if (!tfjsHasLayer(className)) throw unsupported('is a layer class TensorFlow.js does not have, so the model cannot be rebuilt');
  applyLayerRules(className, config, unsupported);
  const layer: KerasLayer = { class_name: className, name, config };
  if (Array.isArray(entry.inbound_nodes)) layer.inbound_nodes = entry.inbound_nodes.map((node) => convertNode(node, unsupported));
  return layer;
}

/** A Keras 3 call node {args, kwargs} as the Keras 2 list of [layer, node, tensor, kwargs]. */
function convertNode(node: unknown, unsupported: (detail: string) => Error): unknown {
  if (Array.isArray(node) || !isObject(node)) return node;
  const kwargs: Json = {};
  for (const [key, value] of Object.entries(isObject(node.kwargs) ? node.kwargs : {})) {
    if (value === null || key === 'training' || key === 'mask') continue;
    if (isObject(value) && value.class_name === '__keras_tensor__') throw unsupported(`takes the tensor argument '${key}', which Pruneflow cannot rebuild`);
    kwargs[key] = value;
  }
  const refs: unknown[][] = [];
  const collect = (arg: unknown) => {
    if (Array.isArray(arg)) return arg.forEach(collect);
    const history = isObject(arg) && arg.class_name === '__keras_tensor__' && isObject(arg.config) ? arg.config.keras_history : undefined;
    if (!Array.isArray(history) || history.length !== 3)
      throw unsupported(`is called with a non-tensor argument (${JSON.stringify(arg)}), which Pruneflow cannot rebuild`);
    refs.push([...history, kwargs]);
  };
  collect(node.args ?? []);
  return refs;
}

/** input_layers / output_layers as a list of [layer, node, tensor]; Keras 3 may write one triple or a dict. */
function tensorRefs(value: unknown, file: string): unknown[] {
  const isRef = (v: unknown) => Array.isArray(v) && v.length === 3 && typeof v[0] === 'string';
  if (isRef(value)) return [value];
  const list = isObject(value) ? Object.values(value) : value;
  if (!Array.isArray(list) || !list.every(isRef))
    throw new ModelFormatError(
      file,
      `cannot read the model's inputs or outputs: ${value === undefined ? 'none listed' : String(JSON.stringify(value)).slice(0, 120)}`,
    );
  return list;
}
