/** A training replica in a worker thread: the portable message loop over `parentPort`. */
import { parentPort } from 'node:worker_threads';
import { serveReplica } from '../train/data-parallel/replica-host.js';

const port = parentPort;
if (!port) throw new Error('training-worker.js runs only as a worker thread (see training-workers.ts)');
serveReplica({
  post: (message, transfer) => port.postMessage(message, transfer),
  onMessage: (listener) => port.on('message', listener),
});
