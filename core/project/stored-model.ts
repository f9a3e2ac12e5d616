import type * as tfl from '@tensorflow/tfjs-layers';
import { memoryTree } from '../data/file-tree.js';
import { exportTfjs } from '../models/io/export-tfjs.js';
import { tfjsLayers } from '../models/io/tfjs-layers-format.js';
import { modelInputContract, rememberInputContract } from '../models/input-contract.js';
import { modelInputLayout, parseInputLayout, rememberInputLayout } from '../models/input-layout.js';
import type { StoredModel, WeightSpec } from './project.js';

/** A model as a project keeps it: tfjs model.json and its one weight file. */
export async function storeModel(model: tfl.LayersModel, source: string, trainEpochs: number): Promise<StoredModel> {
  const [json, weights] = await exportTfjs(model);
  const inputContract = modelInputContract(model);
  const inputLayout = modelInputLayout(model);
  return { source, trainEpochs, modelJson: json.bytes, weights: weights.bytes, ...(inputContract && { inputContract }), ...(inputLayout && { inputLayout }) };
}

/** The stored model as a live one, read by the same code that reads a user's tfjs model. */
export async function openStoredModel(stored: StoredModel): Promise<tfl.LayersModel> {
  const files = new Map([
    ['model.json', stored.modelJson],
    [weightFileName(stored.modelJson), stored.weights],
  ]);
  const { model } = await tfjsLayers.open(memoryTree('the project baseline', files));
  rememberInputContract(model, stored.inputContract);
  rememberInputLayout(model, parseInputLayout(stored.inputLayout));
  return model;
}

/** A model's weights alone (the architecture comes from replaying the history): specs and bytes. */
export async function modelWeights(model: tfl.LayersModel): Promise<{ specs: WeightSpec[]; data: Uint8Array }> {
  const [json, weights] = await exportTfjs(model);
  const manifest = JSON.parse(new TextDecoder().decode(json.bytes)) as { weightsManifest: { weights: WeightSpec[] }[] };
  return { specs: manifest.weightsManifest.flatMap((g) => g.weights), data: weights.bytes };
}

function weightFileName(modelJson: Uint8Array): string {
  let manifest: { weightsManifest?: unknown[] } | null;
  try {
    manifest = JSON.parse(new TextDecoder().decode(modelJson)) as typeof manifest;
  } catch {
    manifest = null; // the tfjs reader names what is wrong with it
  }
  // A damaged manifest falls back to the usual name; the tfjs reader then says what is wrong with it.
  const path = (manifest?.weightsManifest?.[0] as { paths?: unknown[] } | undefined)?.paths?.[0];
  return typeof path === 'string' ? path : 'group1-shard1of1.bin';
}
