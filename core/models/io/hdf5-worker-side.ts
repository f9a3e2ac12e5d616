import { snapshotBuffers, takeSnapshot, type Hdf5Request, type Hdf5Snapshot } from './hdf5-snapshot.js';
import { loadH5wasm } from './hdf5-wasm.js';

/** A request to a thread that reads HDF5 (see hdf5-thread-reader.ts), with the most its WebAssembly memory may grow to. */
export interface ToHdf5Worker {
  request: Hdf5Request;
  wasmCapBytes: number;
}
export type FromHdf5Worker = { ready: true } | { snapshot: Hdf5Snapshot } | { capReached: true } | { error: { name: string; message: string } };

interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * The inside of a thread that reads HDF5 files with h5wasm (a Node worker thread or a Web Worker; its host
 * stops it at a deadline). Its WebAssembly memory may grow only up to the cap each request sets: past it,
 * the HDF5 library's allocation fails (an error) and the answer says the cap was reached. The grow patch
 * stays in this thread. h5wasm is loaded before the first request (then `ready`), so that a request's
 * deadline counts reading alone. Returns the handler of each request.
 */
export function serveHdf5(post: (answer: FromHdf5Worker, transfer?: ArrayBuffer[]) => void): (message: ToHdf5Worker) => Promise<void> {
  let capBytes = 2 ** 31;
  let capReached = false;
  const memory = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly.Memory.prototype;
  const grow = memory.grow;
  memory.grow = function (this: WasmMemory, pages: number) {
    if (this.buffer.byteLength + pages * 65536 > capBytes) {
      capReached = true;
      throw new RangeError(`WebAssembly memory capped at ${capBytes} bytes`);
    }
    return grow.call(this, pages);
  };

  loadH5wasm().then(
    () => post({ ready: true }),
    (error: unknown) => post({ error: errorOf(error) }),
  );

  return async ({ request, wasmCapBytes }) => {
    capBytes = wasmCapBytes;
    capReached = false;
    let answer: FromHdf5Worker;
    let transfer: ArrayBuffer[] = [];
    try {
      const snapshot = await takeSnapshot(request);
      answer = capReached ? { capReached: true } : { snapshot };
      if (!capReached) transfer = snapshotBuffers(snapshot);
    } catch (error) {
      answer = capReached ? { capReached: true } : { error: errorOf(error) };
    }
    post(answer, transfer);
  };
}

function errorOf(error: unknown): { name: string; message: string } {
  return { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
}
