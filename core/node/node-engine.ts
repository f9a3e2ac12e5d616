import type { EngineApi, EngineInfo } from '../api/contract.js';
import { BACKEND_ENV_VARIABLE, resolveBackendPreference } from '../backend/backend-preference.js';
import { createEngine, type EngineOptions } from '../session/engine.js';
import type { RunHost } from '../session/run-inputs.js';
import { readAsset } from './assets.js';
import { openDataSource } from './open-data-source.js';
import { nodeDecodePool } from './decode-pool.js';
import type { ImageDecoder } from '../data/streaming/decode-record.js';
import { openModelSource } from './open-model-source.js';
import { listFolder } from './list-folder.js';
import { nodeProjectStoreFor } from './project-file.js';
import { policyWriter } from './write-target.js';
import type { WriteCaller } from '../data/write-policy.js';
import { fileCache } from './file-cache.js';
import { nodeReplicaSpawner } from './training-workers.js';
import type { ParallelTraining } from '../train/fit.js';
import { arch, availableParallelism, cpus, platform, totalmem } from 'node:os';
import { nodeCandidates } from './node-backends.js';
import { readSettings, type Settings } from './settings.js';
import { setInputLimits } from '../data/input-limits.js';
import { nodeRecentProjects } from './recent-projects.js';
import { onnxRuntimeEngine } from './ort-runner.js';
import { type ForwardEngine, turnedOffEngine } from '../backend/forward-runner.js';
import { type Hdf5Reader, setHdf5Reader } from '../models/io/hdf5-reader.js';
import { nodeHdf5Reader } from './hdf5-thread.js';
import { nodeResidentMemory } from './resident-memory.js';
import { createSweepService } from './sweep/sweep-service.js';

/**
 * The engine as every Node host runs it (CLI, Electron's engine worker): native backends first, the
 * bundled assets, and the backend a user chose by flag, environment or setting.
 */
export async function createNodeEngine(
  host: EngineInfo['host'],
  { backendFlag, lenientSettings = false }: { backendFlag?: string; lenientSettings?: boolean } = {},
): Promise<EngineApi> {
  // The CLI stops on a broken settings file; the desktop app must still open, so it warns and goes on.
  const settings = await readSettings().catch((error: unknown) => {
    if (!lenientSettings) throw error;
    console.error(`${(error as Error).message}; using automatic backend choice.`);
    return {} as Settings;
  });
  setInputLimits(settings.inputLimits ?? {});
  setHdf5Reader(hdf5Reader());
  const backendPreference = resolveBackendPreference({
    flag: backendFlag,
    environment: process.env[BACKEND_ENV_VARIABLE],
    setting: settings.backend,
  });
  return createEngine({ host, candidates: nodeCandidates, backendPreference, ...nodeRunHost(writeCallerOf(host), backendFlag) });
}

/**
 * Whose write policy an engine's writes follow: the CLI's are the user's at a terminal; every other host's
 * calls come from a page (served over a WebSocket, or the desktop window over IPC).
 */
export const writeCallerOf = (host: EngineInfo['host']): WriteCaller => (host === 'cli' || host === 'test' ? 'user' : 'page');

/** What runs on Node get from their host: bundled assets, files, project files and extra training engines. */
export function nodeRunHost(caller: WriteCaller = 'user', backendFlag?: string): RunHost & Pick<EngineOptions, 'listFolder' | 'recent' | 'sweeps'> {
  const writer = policyWriter(caller);
  const projects = nodeProjectStoreFor(caller);
  return {
    readAsset,
    openDataSource,
    openModelSource,
    listFolder,
    recent: nodeRecentProjects(),
    writeFiles: writer.writeFiles,
    checkWrite: writer.checkWrite,
    projects,
    sweeps: createSweepService(projects, backendFlag),
    describeEnvironment,
    cache: fileCache(),
    trainingReplicas: trainingReplicas(),
    forwardEngine: forwardEngine(),
    imageDecoder: imageDecoder(),
    residentMemory: nodeResidentMemory,
  };
}

/** Worker threads that decode streamed image folders; undefined (this thread decodes) when the worker script is missing (sources not built). */
function imageDecoder(): ImageDecoder | undefined {
  try {
    return nodeDecodePool();
  } catch {
    return undefined;
  }
}

/** HDF5 read in a worker thread with a deadline; in this thread when the worker script is missing (sources not built). */
function hdf5Reader(): Hdf5Reader | undefined {
  try {
    return nodeHdf5Reader();
  } catch {
    return undefined;
  }
}

/**
 * ONNX Runtime for forward-only work, unless PRUNEFLOW_FORWARD_ENGINE=tfjs keeps everything on tfjs (to
 * compare the two, or where the native library misbehaves).
 */
function forwardEngine(): ForwardEngine {
  return process.env.PRUNEFLOW_FORWARD_ENGINE === 'tfjs' ? turnedOffEngine('onnxruntime', 'PRUNEFLOW_FORWARD_ENGINE=tfjs') : onnxRuntimeEngine();
}

/**
 * One wasm engine per core for training (tfjs cannot run wasm threads in Node). PRUNEFLOW_TRAINING_REPLICAS
 * sets the number; 1 turns it off.
 */
function trainingReplicas(): ParallelTraining | undefined {
  const replicas = Number(process.env.PRUNEFLOW_TRAINING_REPLICAS ?? Math.min(availableParallelism(), 4));
  if (!(replicas > 1)) return undefined;
  try {
    return { replicas: Math.floor(replicas), spawnReplica: nodeReplicaSpawner() };
  } catch {
    return undefined; // the worker script is missing (sources not built): train on one engine
  }
}

/** The machine and runtime a session ran on, for its record in a project. */
function describeEnvironment(): { machine: Record<string, string>; versions: Record<string, string> } {
  const cores = cpus();
  return {
    machine: {
      platform: platform(),
      arch: arch(),
      cpu: cores[0]?.model ?? 'unknown',
      cores: String(cores.length),
      memoryGiB: (totalmem() / 2 ** 30).toFixed(1),
      // The GPUs the process may use (a sweep's GPU worker is pinned to one).
      ...(process.env.CUDA_VISIBLE_DEVICES !== undefined && { cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES }),
    },
    versions: { node: process.versions.node, ...(process.versions.electron && { electron: process.versions.electron }) },
  };
}
