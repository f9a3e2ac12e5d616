import { openZip, ZipFormatError, type ZipArchive } from '../../data/archive/zip.js';
import { baseName, type FileTree } from '../../data/file-tree.js';
import { buildModel } from './build-model.js';
import { isGroup, readHdf5, type H5File } from './hdf5.js';
import { readKerasConfig, type KerasModelConfig } from './keras-config.js';
import { channelsLastWeights } from './keras1-weights.js';
import { checkAllSet, readWeight, setLayerWeights, type WeightArray } from './layer-weights.js';
import { parseContract } from '../input-contract.js';
import { ModelFormatError } from './model-errors.js';
import { findFile, type ImportedModel, type ModelFormat } from './model-format.js';

const isArchive = (name: string) => name.toLowerCase().endsWith('.keras');

/** Keras 3 `.keras` files: a zip of config.json, metadata.json and model.weights.h5 (or those files unzipped). */
export const kerasArchive: ModelFormat = {
  id: 'keras',
  label: 'Keras 3 model (.keras)',
  expects: "one .keras file saved by Keras 3 model.save('model.keras'), or its unzipped config.json and model.weights.h5",
  match: (files) =>
    findFile(files, isArchive) !== undefined ||
    (findFile(files, (n) => n === 'config.json') !== undefined && findFile(files, (n) => n === 'model.weights.h5') !== undefined),
  open: openKerasArchive,
};

async function openKerasArchive(tree: FileTree): Promise<ImportedModel> {
  const listed = await tree.list();
  const archive = findFile(listed, isArchive);
  const label = archive?.path ?? tree.label;
  const zip = archive ? openArchive(await tree.read(archive.path), label) : undefined;
  const read = async (name: string) => {
    if (!zip) {
      const found = findFile(listed, (n) => n === name);
      return found && tree.read(found.path);
    }
    return zip.read(name);
  };
  const configBytes = await read('config.json');
  if (!configBytes) throw new ModelFormatError(label, 'has no config.json: not a Keras 3 model archive');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(configBytes));
  } catch (error) {
    throw new ModelFormatError(`${label}/config.json`, `not valid JSON: ${(error as Error).message}`);
  }
  const warnings: string[] = [];
  const config = readKerasConfig(raw, `${label}/config.json`, warnings);
  const { topology } = config;
  const weightsFile = `${label}/model.weights.h5`;
  const weightBytes = await read('model.weights.h5');
  if (!weightBytes) {
    const npz = zip ? zip.has('model.weights.npz') : findFile(listed, (n) => n === 'model.weights.npz');
    throw new ModelFormatError(
      label,
      npz ? 'stores its weights as .npz, which Pruneflow cannot read: save with the default h5 weights' : 'has no model.weights.h5',
    );
  }
  const weights = await readHdf5(weightBytes, weightsFile, (root) => readLayerWeights(root, config, weightsFile), ['optimizer']);
  const model = await buildModel(topology, `${label}/config.json`, weights.values());
  if (config.channelsFirst) channelsLastWeights(model, weights, config.channelsFirst, weightsFile);
  for (const [layer, arrays] of weights) setLayerWeights(model, layer, arrays, weightsFile);
  checkAllSet(model, new Set(weights.keys()), weightsFile);
  const inputContract = parseContract(parseJson(await read('metadata.json'))?.pruneflow_input_contract);
  return { model, format: kerasArchive.id, warnings, ...(inputContract && { inputContract }) };
}

function parseJson(bytes: Uint8Array | undefined): Record<string, unknown> | undefined {
  try {
    return bytes && (JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

/** The archive's entries by base name (Keras writes them at the top); one is inflated only when read. */
function openArchive(bytes: Uint8Array, file: string): { has(name: string): boolean; read(name: string): Uint8Array | undefined } {
  const named = (error: unknown) =>
    error instanceof ZipFormatError
      ? new ModelFormatError(file, `not a readable zip archive (corrupt or truncated .keras file): ${error.message.slice(file.length + 2)}`)
      : error;
  let zip: ZipArchive;
  try {
    zip = openZip(bytes, file);
  } catch (error) {
    throw named(error);
  }
  const byBase = new Map(zip.entries.map(({ name }) => [baseName(name), name]));
  return {
    has: (name) => byBase.has(name),
    read(name) {
      const path = byBase.get(name);
      try {
        return path === undefined ? undefined : zip.read(path);
      } catch (error) {
        throw named(error);
      }
    },
  };
}

/**
 * Keras 3 stores a layer's variables under layers/<snake_case class>[_n]/vars/0, 1, ... in config order; a
 * nested model's under its own path: layers/sequential/layers/conv2d/vars.
 */
function readLayerWeights(root: H5File, { topology, origins }: KerasModelConfig, file: string): Map<string, WeightArray[]> {
  const weights = new Map<string, WeightArray[]>();
  for (const { name } of topology.config.layers) {
    const path = origins.get(name)?.keras3Path;
    if (!path) continue;
    // Keras 2.13-2.15 wrote the same layout under another group name.
    const vars = root.get(`${path}/vars`) ?? root.get(`_layer_checkpoint_dependencies/${path.replace(/^layers\//, '')}/vars`);
    if (!isGroup(vars)) continue;
    const keys = vars
      .keys()
      .filter((k) => /^\d+$/.test(k))
      .sort((a, b) => Number(a) - Number(b));
    if (keys.length > 0)
      weights.set(
        name,
        keys.map((k) => readWeight(vars, k, file)),
      );
  }
  return weights;
}
