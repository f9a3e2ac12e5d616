import type { EngineApi } from '../api/contract.js';
import { resolveBackendPreference } from '../backend/backend-preference.js';
import { browserCandidates } from '../backend/browser-candidates.js';
import { createEngine } from '../session/engine.js';
import { fetchAssetReader } from './fetch-assets.js';
import { type HostFiles, openDataTree, openModelTree } from '../data/host-files.js';
import { hostFileWriter, hostProjectStore, hostWriteCheck } from '../project/host-project-store.js';
import { type InputLimits, setInputLimits } from '../data/input-limits.js';
import { setHdf5Reader } from '../models/io/hdf5-reader.js';
import { canStartWebWorkers, webHdf5Reader } from './web-hdf5-reader.js';
import { turnedOffEngine } from '../backend/forward-runner.js';
import { webOnnxRuntimeEngine } from './web-ort-runner.js';
import { useBundledTfjsWasm } from './bundled-tfjs-wasm.js';

export interface BrowserEngineOptions {
  /** Where the engine's script lies; its wasm/ and assets/ folders sit beside it. */
  baseUrl: string;
  /** A backend the user chose ('webgl', 'wasm', ...), or 'auto'. */
  backend?: string;
  /** The user's files, handed over by the host that owns them (`pruneflow serve`, or the desktop app's page). */
  files?: HostFiles;
  /** The host's input limits (its user's settings); the rest keep their defaults. */
  inputLimits?: Partial<InputLimits>;
  /** 'tfjs' keeps every forward pass on tfjs (`?forward=tfjs`); otherwise ONNX Runtime Web takes the jobs it is faster at. */
  forward?: string;
}

/**
 * The engine inside Chromium (a worker of the app's window or of a browser page): GPU through WebGPU or
 * WebGL, else wasm. Files reach it as bytes from the host that owns them, and go back to it the same way
 * (projects, exported models, reports); its own assets it fetches.
 */
export function createBrowserEngine({ baseUrl, backend, files, inputLimits = {}, forward }: BrowserEngineOptions): EngineApi {
  // Bundled, the wasm backend cannot find its .wasm files on its own; one thread, even cross-origin isolated.
  useBundledTfjsWasm(baseUrl);
  setInputLimits(inputLimits);
  // HDF5 (.h5, the weights in .keras) in a worker of its own, stopped at the deadline (hdf5-worker.js beside this script).
  if (canStartWebWorkers()) setHdf5Reader(webHdf5Reader(new URL('hdf5-worker.js', baseUrl)));
  return createEngine({
    host: 'page',
    candidates: browserCandidates,
    backendPreference: resolveBackendPreference({ setting: backend }),
    readAsset: fetchAssetReader(new URL('assets/', baseUrl)),
    // Forward-only jobs (evaluation, activations, sensitivity, latency) on ONNX Runtime Web where it is faster (web-ort-runner.ts).
    forwardEngine: forward === 'tfjs' ? turnedOffEngine('onnxruntime-web', '?forward=tfjs') : webOnnxRuntimeEngine({ baseUrl }),
    // Projects, exported models and reports too: written by the host, atomically.
    ...(files && {
      openDataSource: (path: string) => openDataTree(files, path),
      openModelSource: (path: string) => openModelTree(files, path),
      projects: hostProjectStore(files),
      writeFiles: hostFileWriter(files),
      checkWrite: hostWriteCheck(files),
      // The UI's Browse…: the host lists its own folders, as the Node engine does.
      ...(files.listFolder && { listFolder: files.listFolder.bind(files) }),
    }),
  });
}
