/**
 * Entry of the engine's worker thread: training must never block the main process, which also
 * drives every window. Runs in plain Node (no Electron API), so it is the same code a CLI could host.
 */
import { parentPort } from 'node:worker_threads';
import { nodeCandidates } from '../core/node/node-backends.js';
import { createEngine } from '../core/session/engine.js';
import { createAssetReader } from './asset-reader.js';
import { serveEngine } from './worker-server.js';

if (!parentPort) throw new Error('engine-worker.js must be started as a worker thread.');

// build/copy-assets.mjs copies core/assets/ next to the compiled engine: dist/core/assets/.
const readAsset = createAssetReader(new URL('../core/assets/', import.meta.url));

serveEngine(createEngine({ host: 'electron', candidates: nodeCandidates, readAsset }), parentPort);
