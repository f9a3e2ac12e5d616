import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * The axis order of a model file's image input: 'nhwc' for ONNX files from TensorFlow converters (tf2onnx), whose
 * users feed channels-last tensors; an ONNX export writes it back so their pipeline keeps working. Absent: NCHW,
 * as PyTorch and every other ONNX file.
 */
export type InputLayout = 'nhwc';

/** Kept beside the model object, as the input contract is, from where it was read to where it is written. */
const layouts = new WeakMap<tfl.LayersModel, InputLayout>();

export function rememberInputLayout(model: tfl.LayersModel, layout: InputLayout | undefined): void {
  if (layout) layouts.set(model, layout);
  else layouts.delete(model);
}

export function modelInputLayout(model: tfl.LayersModel): InputLayout | undefined {
  return layouts.get(model);
}

/** Checks a stored layout: 'nhwc' or nothing. */
export function parseInputLayout(value: unknown): InputLayout | undefined {
  return value === 'nhwc' ? value : undefined;
}
