import type * as tfl from '@tensorflow/tfjs-layers';
import type { KerasLayer, KerasTopology } from './keras-config.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which Keras 3 module holds a nested object, by the argument it is given to. */
function moduleOf(key: string): string | undefined {
  if (key.endsWith('_initializer')) return 'keras.initializers';
  if (key.endsWith('_regularizer')) return 'keras.regularizers';
  if (key.endsWith('_constraint')) return 'keras.constraints';
  return undefined;
}

/** One layer's arguments as Keras 3 names them, with nested objects in Keras 3's {module, class_name, ...} form. */
function layerArgs(className: string, config: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    const module = moduleOf(key);
    if (module && isObject(value)) {
      const args = { ...(value.config as Json) };
      // Keras 3 accepts only truncated/untruncated normal; Keras 2's 'normal' meant truncated.
      if (value.class_name === 'VarianceScaling' && args.distribution === 'normal') args.distribution = 'truncated_normal';
      out[key] = { module, class_name: value.class_name, config: args, registered_name: null };
    } else out[key] = value;
  }
  if (className === 'LeakyReLU' && 'alpha' in out) {
    out.negative_slope = out.alpha;
    delete out.alpha;
  }
  if (className === 'InputLayer') {
    out.batch_shape = out.batch_input_shape;
    delete out.batch_input_shape;
  }
  return out;
}

const layerEntry = (className: string, config: Json): Json => ({
  module: 'keras.layers',
  class_name: className,
  config: layerArgs(className, config),
  registered_name: null,
});

/** A Keras 3 config.json for a model whose tfjs config is `topology` (see export-topology). */
export function keras3Config(model: tfl.LayersModel, topology: KerasTopology): Json {
  const { name, layers } = topology.config;
  if (topology.class_name === 'Sequential') {
    const [first] = layers;
    const batchShape = first.config.batch_input_shape ?? model.inputs[0].shape;
    const input =
      first.class_name === 'InputLayer'
        ? []
        : [layerEntry('InputLayer', { batch_input_shape: batchShape, dtype: 'float32', sparse: false, name: `${name}_input` })];
    const rest = layers.map((l) => {
      const { batch_input_shape: _, ...config } = l.config;
      return layerEntry(l.class_name, l.class_name === 'InputLayer' ? l.config : config);
    });
    return {
      module: 'keras',
      class_name: 'Sequential',
      config: { name, trainable: true, dtype: 'float32', layers: [...input, ...rest] },
      registered_name: null,
      build_config: { input_shape: batchShape },
    };
  }
  const refs = (list: unknown) => {
    const triples = (list as unknown[][]).map((r) => r.slice(0, 3));
    return triples.length === 1 ? triples[0] : triples;
  };
  return {
    // Keras 3 deserializes a functional model only from the module it lives in (keras.Functional is no KerasSaveable).
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name,
      trainable: true,
      layers: layers.map((l) => ({ ...layerEntry(l.class_name, l.config), name: l.name, inbound_nodes: nodes(model, l) })),
      input_layers: refs(topology.config.input_layers),
      output_layers: refs(topology.config.output_layers),
    },
    registered_name: 'Functional',
  };
}

/** Keras 2 nodes [[layer, node, tensor, kwargs], ...] as Keras 3 {args, kwargs} with __keras_tensor__ records. */
function nodes(model: tfl.LayersModel, layer: KerasLayer): Json[] {
  return (layer.inbound_nodes ?? []).map((node) => {
    const refs = node as [string, number, number, Json?][];
    const tensors = refs.map(([source, nodeIndex, tensorIndex]) => {
      const output = model.getLayer(source).getOutputAt(nodeIndex);
      const shape = (Array.isArray(output) ? output[tensorIndex] : output).shape;
      return { class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [source, nodeIndex, tensorIndex] } };
    });
    return { args: tensors.length === 1 ? tensors : [tensors], kwargs: refs[0]?.[3] ?? {} };
  });
}
