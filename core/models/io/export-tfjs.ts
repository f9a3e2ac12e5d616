import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { patchTopology } from './export-topology.js';
import type { KerasTopology } from './keras-config.js';
import type { ExportedFile } from './export-model.js';
import type { InputContract } from '../input-contract.js';

const SHARD = 'group1-shard1of1.bin';

/** model.json and one weight file, as tf.loadLayersModel and the tfjs converter read them. */
export async function exportTfjs(model: tfl.LayersModel, contract?: InputContract): Promise<ExportedFile[]> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const { modelTopology, weightSpecs = [], weightData } = artifacts!;
  const json = {
    format: 'layers-model',
    generatedBy: artifacts!.generatedBy,
    convertedBy: 'Pruneflow',
    modelTopology: patchTopology(modelTopology as unknown as KerasTopology, model),
    weightsManifest: [{ paths: [SHARD], weights: weightSpecs }],
    // How the model expects its images, read back when Pruneflow opens the export (tfjs keeps userDefinedMetadata).
    ...(contract && { userDefinedMetadata: { pruneflow: { inputContract: { ...contract, source: undefined } } } }),
  };
  const weights = weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(weightData);
  return [
    { name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)) },
    { name: SHARD, bytes: new Uint8Array(weights) },
  ];
}
