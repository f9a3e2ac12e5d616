import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { FileEntry, FileTree } from '../../data/file-tree.js';
import { rebuildError } from './build-model.js';
import { kerasToTfjs } from './keras-config.js';
import { parseContract, teachableMachineContract, type InputContract } from '../input-contract.js';
import { ModelFormatError } from './model-errors.js';
import { buildWithin } from './weight-budget.js';
import { findFile, type ImportedModel, type ModelFormat } from './model-format.js';

/** Bytes per stored value: quantized weights are stored in their quantized type. */
const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

const isModelJson = (name: string) => name === 'model.json' || name.endsWith('.model.json');

/** TensorFlow.js layers models: model.json and the weight shards its manifest lists, read as bytes. */
export const tfjsLayers: ModelFormat = {
  id: 'tfjs-layers',
  label: 'TensorFlow.js layers model',
  expects: 'model.json with its weight files (group1-shard1of1.bin, ...)',
  match: (files) => findFile(files, isModelJson) !== undefined,
  open: openTfjs,
};

async function openTfjs(tree: FileTree): Promise<ImportedModel> {
  const files = await tree.list();
  const entry = findFile(files, isModelJson)!;
  const file = entry.path;
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(new TextDecoder().decode(await tree.read(file)));
  } catch (error) {
    throw new ModelFormatError(file, `not valid JSON: ${(error as Error).message}`);
  }
  if (json.format === 'graph-model') {
    throw new ModelFormatError(
      file,
      'is a TensorFlow.js graph model (converted from a SavedModel), which has no layers to prune: convert the Keras model instead',
    );
  }
  if (typeof json.modelTopology !== 'object' || json.modelTopology === null) throw new ModelFormatError(file, 'has no modelTopology');
  const warnings: string[] = [];
  const raw = json.modelTopology as { model_config?: unknown };
  const modelTopology = kerasToTfjs(raw.model_config ?? raw, file, warnings);
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
  const [specs, buffers] = await readShards(tree, files, dir, json.weightsManifest, file);
  const inputContract =
    parseContract((json.userDefinedMetadata as { pruneflow?: { inputContract?: unknown } } | undefined)?.pruneflow?.inputContract) ??
    (await teachableMachine(tree, files, dir));
  return { model: await buildAndLoad(modelTopology, specs, buffers, file), format: tfjsLayers.id, warnings, ...(inputContract && { inputContract }) };
}

/**
 * What tfl.loadLayersModel does, with the layers built within the weights the manifest lists (a config may not
 * claim more) and the weights checked strictly by name and shape.
 */
async function buildAndLoad(modelTopology: object, specs: tf.io.WeightsManifestEntry[], buffers: ArrayBuffer[], file: string): Promise<tfl.LayersModel> {
  const values = specs.reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1), 0);
  let model: tfl.LayersModel | undefined;
  try {
    model = await buildWithin(values, file, () => tfl.models.modelFromJSON({ modelTopology } as tf.io.ModelJSON));
    const named = tf.io.decodeWeights(tf.io.concatenateArrayBuffers(buffers), specs);
    try {
      model.loadWeights(Object.fromEntries(specs.filter((s) => s.group !== 'optimizer').map((s) => [s.name, named[s.name]])), true);
    } finally {
      tf.dispose(Object.values(named));
    }
    return model;
  } catch (error) {
    model?.dispose();
    throw rebuildError(error, file);
  }
}

/** A Teachable Machine export's metadata.json beside model.json: its labels, image size and [-1, 1] scaling. */
async function teachableMachine(tree: FileTree, files: readonly FileEntry[], dir: string): Promise<InputContract | undefined> {
  const entry = files.find((f) => f.path === `${dir}metadata.json`);
  if (!entry) return undefined;
  try {
    return teachableMachineContract(JSON.parse(new TextDecoder().decode(await tree.read(entry.path))));
  } catch {
    return undefined; // not JSON: not Teachable Machine's
  }
}

/** Reads every shard of the manifest, checking that each group's shards hold exactly its weights. */
async function readShards(tree: FileTree, files: readonly FileEntry[], dir: string, manifest: tf.io.WeightsManifestConfig | undefined, file: string) {
  if (manifest === undefined) return [[], []] as [tf.io.WeightsManifestEntry[], ArrayBuffer[]]; // no weights: only a model without any builds
  if (!Array.isArray(manifest)) throw new ModelFormatError(file, 'weightsManifest is not a list of weight groups');
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const [g, group] of manifest.entries()) {
    checkGroup(group, g, file);
    const paths = group.paths.map((p) => normalise(dir + p));
    const sizes = paths.map((path) => {
      const shard = files.find((f) => f.path === path);
      if (!shard) throw new ModelFormatError(file, `weight file '${path}' (group ${g + 1}) is missing`);
      return shard.size;
    });
    const need = group.weights.reduce((n, w) => n + weightBytes(w, file), 0);
    const have = sizes.reduce((a, b) => a + b, 0);
    if (need !== have) {
      const list = paths.map((p, i) => `${p} ${sizes[i]} bytes`).join(', ');
      throw new ModelFormatError(file, `weight group ${g + 1} needs ${need} bytes but its files hold ${have} (${list}): truncated or from another model`);
    }
    for (const path of paths) {
      const bytes = await tree.read(path);
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
    specs.push(...group.weights);
  }
  return [specs, buffers] as [tf.io.WeightsManifestEntry[], ArrayBuffer[]];
}

/** A weight group as the manifest must give it: file paths and weights of a name, a shape and a dtype. */
function checkGroup(group: unknown, g: number, file: string): asserts group is tf.io.WeightsManifestConfig[number] {
  const bad = (what: string) => new ModelFormatError(file, `weight group ${g + 1} of the weightsManifest ${what}`);
  const { paths, weights } = (group ?? {}) as Partial<tf.io.WeightsManifestConfig[number]>;
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) throw bad('has no list of file paths');
  if (!Array.isArray(weights)) throw bad('has no list of weights');
  for (const w of weights as unknown[]) {
    const spec = (w ?? {}) as Partial<tf.io.WeightsManifestEntry>;
    const shapeOk = Array.isArray(spec.shape) && spec.shape.every((n) => Number.isSafeInteger(n) && n >= 0);
    if (typeof spec.name !== 'string' || !shapeOk || typeof spec.dtype !== 'string')
      throw bad(`has a weight without a name, a shape of whole numbers and a dtype: ${String(JSON.stringify(w)).slice(0, 120)}`);
  }
}

function weightBytes(spec: tf.io.WeightsManifestEntry, file: string): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const per = BYTES[dtype];
  if (per === undefined) throw new ModelFormatError(file, `weight '${spec.name}' has dtype '${dtype}', which Pruneflow cannot read`);
  return spec.shape.reduce((a, b) => a * b, 1) * per;
}

/** "a/./b.bin" -> "a/b.bin", "a/../b.bin" -> "b.bin": manifest paths are relative to model.json. */
function normalise(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
  }
  return out.join('/');
}
