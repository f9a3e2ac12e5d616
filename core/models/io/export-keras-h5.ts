import type * as tfl from '@tensorflow/tfjs-layers';
import { checkKerasLayers, layersTopology } from './export-topology.js';
import type { KerasTopology } from './keras-config.js';
import type { ExportedFile } from './export-model.js';
import type { InputContract } from '../input-contract.js';
import { writeHdf5, type H5WriteGroup as Group } from './hdf5.js';

/** The version whose layout this writes; Keras readers only branch on '1' (Keras 1 files). */
export const KERAS2_VERSION = '2.15.0';

/**
 * A Keras 2 HDF5 file as model.save('x.h5') writes it: root attributes model_config, keras_version and
 * backend; model_weights/<layer>/<layer>/kernel:0 with each layer's weight_names listing the order.
 */
export async function exportKerasH5(model: tfl.LayersModel, name = 'model.h5', contract?: InputContract): Promise<ExportedFile[]> {
  checkKerasLayers(model, 'Keras HDF5 (.h5)');
  const { class_name, config } = withInputLayer(layersTopology(model));
  const bytes = await writeHdf5((root) => {
    root.create_attribute('backend', 'tensorflow');
    root.create_attribute('keras_version', KERAS2_VERSION);
    root.create_attribute('model_config', JSON.stringify({ class_name, config }));
    if (contract) root.create_attribute('pruneflow_input_contract', JSON.stringify({ ...contract, source: undefined }));
    const weightsGroup = root.create_group('model_weights');
    weightsGroup.create_attribute('backend', 'tensorflow');
    weightsGroup.create_attribute('keras_version', KERAS2_VERSION);
    writeNames(
      weightsGroup,
      'layer_names',
      model.layers.map((l) => l.name),
    );
    for (const layer of model.layers) writeLayer(weightsGroup.create_group(layer.name), layer);
  });
  return [{ name, bytes }];
}

/**
 * A Sequential model's input as the InputLayer Keras 2.2 and later write: Keras 3 reads a first layer's
 * batch_input_shape (the Keras 2.1 layout, which TensorFlow.js keeps) as its input shape, one axis too many.
 */
function withInputLayer(topology: KerasTopology): KerasTopology {
  const [first, ...rest] = topology.config.layers;
  if (topology.class_name !== 'Sequential' || !first || first.class_name === 'InputLayer' || !first.config.batch_input_shape) return topology;
  const { batch_input_shape, dtype, ...config } = first.config;
  const input = {
    class_name: 'InputLayer',
    name: `${first.name ?? String(config.name)}_input`,
    config: { batch_input_shape, dtype: dtype ?? 'float32', sparse: false, name: `${String(config.name)}_input` },
  };
  return { ...topology, config: { ...topology.config, layers: [input, { ...first, config }, ...rest] } };
}

function writeLayer(group: Group, layer: tfl.layers.Layer): void {
  const values = layer.getWeights();
  // Keras names weights "<layer>/<weight>:0"; tfjs keeps "<layer>/<weight>".
  const names = layer.weights.map((w) => `${layer.name}/${w.originalName.slice(w.originalName.lastIndexOf('/') + 1)}:0`);
  writeNames(group, 'weight_names', names);
  names.forEach((path, i) => {
    const parts = path.split('/');
    let parent = group;
    for (const part of parts.slice(0, -1)) parent = (parent.get(part) as Group | null) ?? parent.create_group(part);
    parent.create_dataset({ name: parts.at(-1)!, data: values[i].dataSync() as Float32Array, shape: values[i].shape, dtype: '<f' });
  });
}

/** HDF5 keeps attributes in a 64 KiB object header: like Keras, split long name lists into name0, name1, ... */
const HEADER_LIMIT = 64512;

function writeNames(group: Group, attribute: string, names: string[]): void {
  if (names.length === 0) return group.create_attribute(attribute, new Float64Array(0)); // as Keras: np.asarray([])
  const width = Math.max(...names.map((n) => new TextEncoder().encode(n).length), 1);
  const perChunk = Math.max(1, Math.floor(HEADER_LIMIT / width));
  const write = (name: string, part: string[]) => group.create_attribute(name, part, [part.length], `S${width}`);
  if (names.length <= perChunk) return write(attribute, names);
  for (let i = 0; i * perChunk < names.length; i++) write(`${attribute}${i}`, names.slice(i * perChunk, (i + 1) * perChunk));
}
