import type * as tfl from '@tensorflow/tfjs-layers';
import { exportKeras3 } from './export-keras3.js';
import { exportKerasH5 } from './export-keras-h5.js';
import { exportTfjs } from './export-tfjs.js';
import { exportOnnx } from './onnx/onnx-export.js';

export type ExportFormat = 'tfjs' | 'keras-h5' | 'keras' | 'onnx';

export interface ExportOptions {
  /** ONNX only: fold batch norms into the layers before them (inference only). */
  foldBatchNorm?: boolean;
}

export interface ExportedFile {
  /** A file name, to be written side by side with the others of the same export. */
  name: string;
  bytes: Uint8Array;
}

/** The file that holds an export of each format: the one whose presence says a folder already has an export. */
export const EXPORT_MAIN_FILE: Record<ExportFormat, string> = { tfjs: 'model.json', 'keras-h5': 'model.h5', keras: 'model.keras', onnx: 'model.onnx' };

/** Files that other tools read: tfjs (model.json + weights), Keras 2 HDF5, a Keras 3 .keras zip, or ONNX (opset 17). */
export async function exportModel(model: tfl.LayersModel, format: ExportFormat, options: ExportOptions = {}): Promise<ExportedFile[]> {
  switch (format) {
    case 'tfjs':
      return exportTfjs(model);
    case 'keras-h5':
      return exportKerasH5(model);
    case 'keras':
      return exportKeras3(model);
    case 'onnx':
      return [{ name: 'model.onnx', bytes: await exportOnnx(model, options) }];
  }
}
