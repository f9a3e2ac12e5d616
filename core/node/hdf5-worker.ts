import { parentPort } from 'node:worker_threads';
import { snapshotBuffers, takeSnapshot } from '../models/io/hdf5-snapshot.js';
import { loadH5wasm } from '../models/io/hdf5-wasm.js';
import type { FromHdf5Worker, ToHdf5Worker } from './hdf5-thread.js';

/**
 * A worker thread that reads HDF5 files with h5wasm (see hdf5-thread.ts, which stops it at a deadline).
 * Its WebAssembly memory may grow only up to the cap each request sets: past it, the HDF5 library's
 * allocation fails (an error) and the answer says the cap was reached. The grow patch stays in this thread.
 */
const port = parentPort;
if (!port) throw new Error('hdf5-worker.js runs only as a worker thread (see hdf5-thread.ts)');

let capBytes = 2 ** 31;
let capReached = false;
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
const memory = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly.Memory.prototype;
const grow = memory.grow;
memory.grow = function (this: WasmMemory, pages: number) {
  if (this.buffer.byteLength + pages * 65536 > capBytes) {
    capReached = true;
    throw new RangeError(`WebAssembly memory capped at ${capBytes} bytes`);
  }
  return grow.call(this, pages);
};

// Loaded before the first request, so that a request's deadline counts reading alone.
loadH5wasm().then(
  () => port.postMessage({ ready: true } satisfies FromHdf5Worker),
  (error: unknown) => port.postMessage({ error: errorOf(error) } satisfies FromHdf5Worker),
);

port.on('message', async ({ request, wasmCapBytes }: ToHdf5Worker) => {
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
  port.postMessage(answer, transfer);
});

function errorOf(error: unknown): { name: string; message: string } {
  return { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
}
