import type * as tfl from '@tensorflow/tfjs-layers';
import { modelInputContract, type InputContract } from '../input-contract.js';
import { exportKeras3 } from './export-keras3.js';
import { checkKerasLayers } from './export-topology.js';
import { STANDARD_EQUIVALENT, withStandardLayers } from './keras-standard-layers.js';
import { exportKerasH5 } from './export-keras-h5.js';
import { exportTfjs } from './export-tfjs.js';
import { exportOnnx } from './onnx/onnx-export.js';
import { checkTfliteLayers, exportTflite } from './tflite/tflite-export.js';
import { refuseSharedLayers } from './export-shared.js';

export type ExportFormat = 'tfjs' | 'keras-h5' | 'keras' | 'onnx' | 'tflite';

export interface ExportOptions {
  /** ONNX only: fold batch norms into the layers before them (inference only). */
  foldBatchNorm?: boolean;
  /** How the model expects its images, written with tfjs and Keras exports; the model's own when absent. */
  contract?: InputContract;
}

export interface ExportedFile {
  /** A file name, to be written side by side with the others of the same export. */
  name: string;
  bytes: Uint8Array;
}

/** The file that holds an export of each format: the one whose presence says a folder already has an export. */
export const EXPORT_MAIN_FILE: Record<ExportFormat, string> = {
  tfjs: 'model.json',
  'keras-h5': 'model.h5',
  keras: 'model.keras',
  onnx: 'model.onnx',
  tflite: 'model.tflite',
};

/** Files that other tools read: tfjs (model.json + weights), Keras 2 HDF5, a Keras 3 .keras zip, ONNX (opset 17) or TensorFlow Lite (float32). */
export async function exportModel(model: tfl.LayersModel, format: ExportFormat, options: ExportOptions = {}): Promise<ExportedFile[]> {
  const contract = options.contract ?? modelInputContract(model);
  if (format === 'tfjs') return exportTfjs(model, contract);
  if (format === 'onnx') return [{ name: 'model.onnx', bytes: await exportOnnx(model, options) }];
  if (format === 'tflite') return [{ name: 'model.tflite', bytes: await exportTflite(model) }];
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
  if (format === 'onnx' || format === 'tflite') refuseSharedLayers(model, format === 'onnx' ? 'ONNX (.onnx)' : 'TensorFlow Lite (.tflite)');
  if (format === 'tfjs' || format === 'onnx') return;
  if (format === 'tflite') return checkTfliteLayers(model);
  checkKerasLayers(model, format === 'keras' ? 'Keras (.keras)' : 'Keras HDF5 (.h5)', STANDARD_EQUIVALENT);
}
