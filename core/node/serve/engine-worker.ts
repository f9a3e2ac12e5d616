/**
 * Entry of `pruneflow serve`'s engine thread: training and scoring never hold up the server's event loop
 * (WebSocket replies, the page's files), and a crash of the engine leaves the server up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createNodeEngine } from '../node-engine.js';
import { serveEngine } from '../engine-thread/worker-server.js';

if (!parentPort) throw new Error('engine-worker.js must be started as a worker thread.');

const { backend } = (workerData ?? {}) as { backend?: string };
serveEngine(await createNodeEngine('browser', { backendFlag: backend }), parentPort);
