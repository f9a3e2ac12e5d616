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

/**
 * WebAssembly memory could not be reserved: almost always an address-space limit (`ulimit -v`), since
 * V8 reserves about 10 GiB of address space around every WebAssembly memory. Says what to change.
 */
export class WasmMemoryError extends Error {
  override name = 'WasmMemoryError';
  constructor(what: string, detail: string) {
    super(
      `${what} could not reserve WebAssembly memory (${detail}). An address-space limit (ulimit -v) is the usual cause: ` +
        'V8 reserves about 10 GiB of address space for every WebAssembly memory. Raise it (ulimit -v unlimited), or start ' +
        'Node with --disable-wasm-trap-handler (NODE_OPTIONS=--disable-wasm-trap-handler), as the pruneflow command does by itself',
    );
  }
}

/**
 * A model file whose reading was stopped: it took longer than `inputLimits.maxParseSeconds` or needed more
 * memory than the reader may take. A damaged file (or one built to hang the reader) is the usual cause.
 */
export class ModelFileTooComplexError extends Error {
  override name = 'ModelFileTooComplexError';
  constructor(
    readonly file: string,
    readonly limit: 'maxParseSeconds' | 'maxUnpackedBytes',
    detail: string,
  ) {
    super(
      `${file}: ${detail}; the file is damaged or built to exhaust the reader (if it ` +
        `is a genuine model, raise "inputLimits": { "${limit}": ... } in settings.json)`,
    );
  }
}
