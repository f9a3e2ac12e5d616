import type * as tfl from '@tensorflow/tfjs-layers';
import { modelInputContract } from '../input-contract.js';
import { exportKeras3 } from './export-keras3.js';
import { exportKerasH5 } from './export-keras-h5.js';
import { exportTfjs } from './export-tfjs.js';

export type ExportFormat = 'tfjs' | 'keras-h5' | 'keras';

export interface ExportedFile {
  /** A file name, to be written side by side with the others of the same export. */
  name: string;
  bytes: Uint8Array;
}

/** Files that other tools read: tfjs (model.json + weights), Keras 2 HDF5, or a Keras 3 .keras zip. */
export function exportModel(model: tfl.LayersModel, format: ExportFormat, contract = modelInputContract(model)): Promise<ExportedFile[]> {
  switch (format) {
    case 'tfjs':
      return exportTfjs(model, contract);
    case 'keras-h5':
      return exportKerasH5(model, 'model.h5', contract);
    case 'keras':
      return exportKeras3(model, 'model.keras', contract);
  }
}
