import { ModelFormatError } from '../model-errors.js';

/** Something wrong at one node of an ONNX file: names the file, the node and its operator. */
export class OnnxNodeError extends ModelFormatError {
  override name = 'OnnxNodeError';
  constructor(
    file: string,
    readonly node: string,
    readonly opType: string,
    detail: string,
  ) {
    super(file, `node '${node}' (${opType}): ${detail}`);
  }
}

/** An operator Pruneflow does not read: names the file, the node and the operator. */
export class UnsupportedOnnxOperatorError extends OnnxNodeError {
  override name = 'UnsupportedOnnxOperatorError';
}

/** An initializer whose stored data does not fit its shape, or whose external file is missing. */
export class OnnxTensorError extends ModelFormatError {
  override name = 'OnnxTensorError';
  constructor(
    file: string,
    readonly tensor: string,
    readonly detail: string,
    /** The node that reads the tensor, where known. */
    readonly reader?: { node: string; op: string },
  ) {
    super(file, `tensor '${tensor}'${reader ? ` (read by node '${reader.node}' (${reader.op}))` : ''} ${detail}`);
  }
}
