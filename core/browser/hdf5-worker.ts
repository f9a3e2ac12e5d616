/**
 * Entry of the HDF5 reader as a Web Worker of the engine's own worker (bundled to
 * dist/renderer/engine/hdf5-worker.js): h5wasm reads each file here, where web-hdf5-reader.ts can stop it.
 */
import { serveHdf5, type ToHdf5Worker } from '../models/io/hdf5-worker-side.js';

interface WorkerScope {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: ToHdf5Worker }) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const answer = serveHdf5((message, transfer = []) => scope.postMessage(message, transfer));
scope.addEventListener('message', ({ data }) => void answer(data));
