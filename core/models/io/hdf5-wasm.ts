import { WasmMemoryError } from './model-errors.js';

/**
 * h5wasm (the HDF5 C library compiled to WebAssembly), loaded once per thread on first use (4 MB of
 * script). Its ESM build embeds the wasm, so the same import works in Node, a worker thread and a
 * browser worker with no .wasm file to serve.
 */
let module: ReturnType<typeof load> | undefined;

export function loadH5wasm(): ReturnType<typeof load> {
  return (module ??= load());
}

async function load() {
  const h5wasm = (await import('h5wasm')).default;
  let m: Awaited<typeof h5wasm.ready>;
  try {
    m = await h5wasm.ready;
  } catch (error) {
    module = undefined; // a later call may try again (after the limit was raised in another process)
    const message = error instanceof Error ? error.message : String(error);
    if (/Cannot allocate Wasm memory|could not allocate memory|Out of memory/i.test(message)) throw new WasmMemoryError('the HDF5 reader (h5wasm)', message);
    throw error;
  }
  // HDF5 errors become exceptions instead of diagnostics printed to the console.
  m.activate_throwing_error_handler();
  return { h5wasm, FS: m.FS! };
}
