import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

interface LayerJson {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, unknown][][];
}

interface TopologyJson {
  class_name: string;
  config: { name?: string; layers: LayerJson[]; output_layers: [string, number, number][] };
}

/** Layers a following batch norm folds into: their kernel's last axis (or axis 2 for depthwise) is the channel. */
const FOLDABLE: Record<string, number> = { Conv2D: 3, Dense: 1, DepthwiseConv2D: 2 };

/**
 * The same function with fewer passes over memory, for deployment and latency: every batch norm that
 * directly follows a conv, depthwise conv or dense layer (and is its only reader) is folded into that
 * layer's kernel and bias, and a ReLU (or ReLU6) after it becomes the layer's fused activation. In
 * inference mode the outputs equal the original's up to float rounding. Training a folded model is not
 * meaningful (batch statistics are gone).
 */
export async function foldForInference(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  const topology = asFunctional(model.toJSON(null, false) as unknown as TopologyJson);
  const layers = topology.config.layers;
  const readers = (name: string) => layers.filter((l) => !removed.has(l.name) && l.inbound_nodes.some((node) => node.some(([from]) => from === name)));
  const onlyInput = (layer: LayerJson) => (layer.inbound_nodes.length === 1 && layer.inbound_nodes[0].length === 1 ? layer.inbound_nodes[0][0][0] : undefined);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const folded = new Map<string, tf.Tensor[]>();
  const removed = new Set<string>();

  const remove = (layer: LayerJson, into: string) => {
    removed.add(layer.name);
    for (const other of layers) for (const node of other.inbound_nodes) for (const entry of node) if (entry[0] === layer.name) entry[0] = into;
    for (const output of topology.config.output_layers) if (output[0] === layer.name) output[0] = into;
  };

  for (const bn of layers.filter((l) => l.class_name === 'BatchNormalization')) {
    const producer = byName.get(onlyInput(bn) ?? '');
    if (!producer || !(producer.class_name in FOLDABLE) || readers(producer.name).length !== 1) continue;
    if (producer.config.activation !== 'linear' || model.getLayer(bn.name).getConfig().axis !== -1) continue;
    folded.set(producer.name, foldWeights(model.getLayer(producer.name), model.getLayer(bn.name), FOLDABLE[producer.class_name]));
    producer.config.use_bias = true;
    remove(bn, producer.name);
  }
  for (const relu of layers.filter((l) => l.class_name === 'ReLU' && !removed.has(l.name))) {
    const producer = byName.get(onlyInput(relu) ?? '');
    const maxValue = relu.config.max_value as number | null | undefined;
    const activation = maxValue == null ? 'relu' : maxValue === 6 ? 'relu6' : undefined;
    if (!producer || !(producer.class_name in FOLDABLE) || !activation || readers(producer.name).length !== 1) continue;
    if (producer.config.activation !== 'linear') continue;
    producer.config.activation = activation;
    remove(relu, producer.name);
  }
  topology.config.layers = layers.filter((l) => !removed.has(l.name));
  const result = await tfl.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] });
  for (const layer of result.layers) {
    if (layer.weights.length === 0) continue; // a Sequential model's input layer is new here
    const weights = folded.get(layer.name) ?? model.getLayer(layer.name).getWeights();
    if (weights.length) layer.setWeights(weights);
  }
  tf.dispose([...folded.values()].flat());
  return result;
}

/** A Sequential model's config (layers in a row, the first with batch_input_shape) as the functional one it stands for. */
function asFunctional(topology: TopologyJson): TopologyJson {
  if (topology.class_name !== 'Sequential') return topology;
  const raw = topology.config.layers as unknown as Omit<LayerJson, 'name' | 'inbound_nodes'>[];
  const { batch_input_shape: shape, dtype, ...first } = raw[0].config;
  const input = `${String(first.name)}_input`;
  const layers: LayerJson[] = [
    { class_name: 'InputLayer', name: input, config: { batch_input_shape: shape, dtype: dtype ?? 'float32', sparse: false, name: input }, inbound_nodes: [] },
  ];
  raw.forEach((layer, i) => {
    const config = i === 0 ? first : layer.config;
    layers.push({ class_name: layer.class_name, name: String(config.name), config, inbound_nodes: [[[layers[i].name, 0, 0, {}]]] });
  });
  const config = { name: topology.config.name, layers, input_layers: [[input, 0, 0]], output_layers: [[layers.at(-1)!.name, 0, 0]] };
  return { class_name: 'Model', config } as unknown as TopologyJson;
}

/** kernel * g / sqrt(var + eps) along the channel axis; bias (b - mean) * g / sqrt(var + eps) + beta. */
function foldWeights(producer: tfl.layers.Layer, bn: tfl.layers.Layer, channelAxis: number): tf.Tensor[] {
  const config = bn.getConfig();
  const weights = bn.getWeights();
  let index = 0;
  const gamma = config.scale === false ? null : weights[index++];
  const beta = config.center === false ? null : weights[index++];
  const [mean, variance] = weights.slice(index);
  return tf.tidy(() => {
    const [kernel, bias] = producer.getWeights();
    const scale = tf.div(gamma ?? tf.onesLike(mean), tf.sqrt(tf.add(variance, config.epsilon as number)));
    const shape = kernel.shape.map((size, axis) => (axis === channelAxis ? size : 1));
    const newKernel = tf.mul(kernel, tf.reshape(scale, shape));
    const newBias = tf.add(tf.mul(tf.sub(bias ?? tf.zerosLike(mean), mean), scale), beta ?? tf.zerosLike(mean));
    // Fresh tensors: wasm ops can return views whose storage remembers another shape.
    return [tf.tensor(newKernel.dataSync(), newKernel.shape), tf.tensor(newBias.dataSync(), newBias.shape)];
  });
}
