import type { FileTree } from '../../data/file-tree.js';
import { buildModel } from './build-model.js';
import { isGroup, readHdf5, stringAttr, stringsAttr, type H5File } from './hdf5.js';
import { readKerasConfig, type KerasModelConfig } from './keras-config.js';
import { channelsLastWeights, flipTheanoKernels } from './keras1-weights.js';
import { checkAllSet, readWeight, setLayerWeights, type WeightArray } from './layer-weights.js';
import { parseContract } from '../input-contract.js';
import { ModelFormatError } from './model-errors.js';
import { findFile, type ImportedModel, type ModelFormat } from './model-format.js';

const isH5 = (name: string) => /\.(h5|hdf5)$/i.test(name);

/**
 * Keras HDF5 files from model.save('x.h5'), Keras 1.x to 3: the config in a root attribute, weights under
 * model_weights/.
 */
export const kerasH5: ModelFormat = {
  id: 'keras-h5',
  label: 'Keras HDF5 model (.h5)',
  expects: "one .h5 file saved by Keras model.save('model.h5')",
  match: (files) => findFile(files, isH5) !== undefined,
  open: openKerasH5,
};

async function openKerasH5(tree: FileTree): Promise<ImportedModel> {
  const file = findFile(await tree.list(), isH5)!.path;
  const warnings: string[] = [];
  const { topology, weights, inputContract, channelsFirst, backend } = await readHdf5(
    await tree.read(file),
    file,
    (root) => {
      const config = readKerasConfig(readConfig(root, file), file, warnings);
      const contract = stringAttr(root, 'pruneflow_input_contract');
      return {
        topology: config.topology,
        weights: readLayerWeights(root, config, file),
        inputContract: contract ? parseContract(safeJson(contract)) : undefined,
        channelsFirst: config.channelsFirst,
        // Keras 2 writes the backend on the file and on model_weights; Keras 1.2 on model_weights only.
        backend: stringAttr(root, 'backend') ?? backendOf(root.get('model_weights')),
      };
    },
    ['optimizer_weights'],
  );
  const model = await buildModel(topology, file, weights.values());
  if (channelsFirst) channelsLastWeights(model, weights, channelsFirst, file);
  if (backend === 'theano' && flipTheanoKernels(model, weights).length > 0)
    warnings.push('the model was trained with the Theano backend: its convolution kernels were flipped for TensorFlow, as Keras 2 does on load');
  for (const [layer, arrays] of weights) setLayerWeights(model, layer, arrays, file);
  checkAllSet(model, new Set(weights.keys()), file);
  return { model, format: kerasH5.id, warnings, ...(inputContract && { inputContract }) };
}

function backendOf(group: ReturnType<H5File['get']>): string | undefined {
  return isGroup(group) ? stringAttr(group, 'backend') : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readConfig(root: H5File, file: string): unknown {
  const text = stringAttr(root, 'model_config');
  if (text === undefined) {
    const keys = root.keys();
    // Keras 2 save_weights: layer groups and layer_names at the root; Keras 3: layers/ and vars/.
    const weightsOnly = ['layers', 'vars', 'model_weights'].some((k) => keys.includes(k)) || stringsAttr(root, 'layer_names') !== undefined;
    throw new ModelFormatError(
      file,
      weightsOnly
        ? 'holds weights only (saved with save_weights), not a model: save the whole model with model.save(...)'
        : 'is an HDF5 file but not a Keras model: it has no model_config attribute',
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(file, `the model_config attribute is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Each layer's arrays in the order its weight_names attribute lists them (Keras's layer.weights order). A layer
 * of a nested model has its weights in the nested model's group, named "<...>/<layer>/<weight>".
 */
function readLayerWeights(root: H5File, { topology, origins }: KerasModelConfig, file: string): Map<string, WeightArray[]> {
  const group = root.get('model_weights');
  if (!isGroup(group)) throw new ModelFormatError(file, 'has a model config but no model_weights group');
  const weights = new Map<string, WeightArray[]>();
  for (const { name } of topology.config.layers) {
    const origin = origins.get(name) ?? { name, topLayer: name };
    const layerGroup = group.get(origin.topLayer);
    if (!isGroup(layerGroup)) continue;
    let names = stringsAttr(layerGroup, 'weight_names') ?? [];
    if (origin.topLayer !== origin.name) names = names.filter((n) => n.split('/').at(-2) === origin.name);
    if (names.length > 0)
      weights.set(
        name,
        names.map((n) => readWeight(layerGroup, n, file)),
      );
  }
  return weights;
}
