import { parentPort } from 'node:worker_threads';
import { serveHdf5 } from '../models/io/hdf5-worker-side.js';

/** A worker thread that reads HDF5 files with h5wasm (see hdf5-thread.ts, which stops it at a deadline). */
const port = parentPort;
if (!port) throw new Error('hdf5-worker.js runs only as a worker thread (see hdf5-thread.ts)');
const answer = serveHdf5((message, transfer) => port.postMessage(message, transfer));
port.on('message', (message) => void answer(message));
