/** A model file that is not what it claims to be; says which file and what is wrong. */
export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** A layer the file describes that Pruneflow cannot rebuild in TensorFlow.js; says which layer and class. */
export class UnsupportedLayerError extends Error {
  override name = 'UnsupportedLayerError';
  constructor(
    readonly file: string,
    readonly layer: string,
    readonly className: string,
    detail: string,
  ) {
    super(`${file}: layer '${layer}' (${className}) ${detail}`);
  }
}

/** Files that are no model format Pruneflow reads. */
export class ModelNotRecognisedError extends Error {
  override name = 'ModelNotRecognisedError';
}

/** A model that cannot be written in the format asked for; says which layer stops it. */
export class ModelExportError extends Error {
  override name = 'ModelExportError';
  constructor(
    readonly format: string,
    readonly layer: string | undefined,
    detail: string,
  ) {
    super(`Cannot save as ${format}: ${detail}`);
  }
}
