import { strToU8, zipSync } from 'fflate';
import type * as tfl from '@tensorflow/tfjs-layers';
import { checkKerasLayers, layersTopology } from './export-topology.js';
import type { ExportedFile } from './export-model.js';
import type { InputContract } from '../input-contract.js';
import { writeHdf5 } from './hdf5.js';
import { keras3Config } from './keras3-config-out.js';
import { kerasSaveablePath } from './keras3-paths.js';

/** The oldest Keras 3 that reads what this writes (string dtypes, batch_shape). */
export const KERAS3_VERSION = '3.0.0';

/** A Keras 3 `.keras` zip: config.json, metadata.json and model.weights.h5 (layers/<class>/vars/<i>). */
export async function exportKeras3(model: tfl.LayersModel, name = 'model.keras', contract?: InputContract): Promise<ExportedFile[]> {
  checkKerasLayers(model, 'Keras (.keras)');
  const topology = layersTopology(model);
  const config = keras3Config(model, topology);
  const sequential = topology.class_name === 'Sequential';
  const weights = await writeHdf5((root) => {
    root.create_group('vars'); // the model's own (empty) variables
    const layersGroup = root.create_group('layers');
    const pathOf = kerasSaveablePath();
    for (const layer of model.layers) {
      const className = layer.getClassName();
      // Keras 3's Sequential.layers leaves out its InputLayer; a functional model's includes it.
      if (sequential && className === 'InputLayer') continue;
      const vars = layersGroup.create_group(pathOf(className)).create_group('vars');
      layer.getWeights().forEach((w, i) => vars.create_dataset({ name: String(i), data: w.dataSync() as Float32Array, shape: w.shape, dtype: '<f' }));
    }
  });
  const metadata = {
    keras_version: KERAS3_VERSION,
    date_saved: kerasDate(new Date()),
    generated_by: 'Pruneflow',
    ...(contract && { pruneflow_input_contract: { ...contract, source: undefined } }),
  };
  const zip = zipSync({
    'metadata.json': [strToU8(JSON.stringify(metadata)), { level: 6 }],
    'config.json': [strToU8(JSON.stringify(config)), { level: 6 }],
    'model.weights.h5': [weights, { level: 0 }],
  });
  return [{ name, bytes: zip }];
}

/** "%Y-%m-%d@%H:%M:%S", as Keras stamps its files. */
function kerasDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
