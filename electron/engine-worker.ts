/**
 * Entry of the engine's worker thread: training must never block the main process, which also
 * drives every window. Runs in plain Node (no Electron API), so it is the same code a CLI could host.
 */
import { parentPort } from 'node:worker_threads';
import { createNodeEngine } from '../core/node/node-engine.js';
import { serveEngine } from '../core/node/engine-thread/worker-server.js';

if (!parentPort) throw new Error('engine-worker.js must be started as a worker thread.');

// The backend setting lives in the user-data folder (settings.json), which the CLI reads too.
serveEngine(await createNodeEngine('electron', { lenientSettings: true }), parentPort);
