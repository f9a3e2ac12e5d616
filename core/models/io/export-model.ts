import type * as tfl from '@tensorflow/tfjs-layers';
import { modelInputContract } from '../input-contract.js';
import { exportKeras3 } from './export-keras3.js';
import { checkKerasLayers } from './export-topology.js';
import { STANDARD_EQUIVALENT, withStandardLayers } from './keras-standard-layers.js';
import { exportKerasH5 } from './export-keras-h5.js';
import { exportTfjs } from './export-tfjs.js';

export type ExportFormat = 'tfjs' | 'keras-h5' | 'keras';

export interface ExportedFile {
  /** A file name, to be written side by side with the others of the same export. */
  name: string;
  bytes: Uint8Array;
}

/** Files that other tools read: tfjs (model.json + weights), Keras 2 HDF5, or a Keras 3 .keras zip. */
export async function exportModel(model: tfl.LayersModel, format: ExportFormat, contract = modelInputContract(model)): Promise<ExportedFile[]> {
  if (format === 'tfjs') return exportTfjs(model, contract);
  // Keras has no class for Pruneflow's own layers: they are written as standard layers with the same outputs.
  const standard = await withStandardLayers(model);
  try {
    return format === 'keras-h5' ? await exportKerasH5(standard.model, 'model.h5', contract) : await exportKeras3(standard.model, 'model.keras', contract);
  } finally {
    if (standard.converted) standard.model.dispose();
  }
}

/** Fails now, naming the layer, when `model` could not be written as `format`: before a run, not after it. */
export function checkExportable(model: tfl.LayersModel, format: ExportFormat): void {
  if (format === 'tfjs') return;
  checkKerasLayers(model, format === 'keras' ? 'Keras (.keras)' : 'Keras HDF5 (.h5)', STANDARD_EQUIVALENT);
}
