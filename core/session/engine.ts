import type { DemoOptions, EngineApi, EngineEvent, EngineInfo } from '../api/contract.js';
import { DEFAULT_DEMO_OPTIONS } from '../api/contract.js';
import type { BackendCandidate, BackendReport } from '../backend/backend-report.js';
import { type BackendPreference, selectBackend } from '../backend/select-backend.js';
import { serializeError } from '../api/errors.js';
import { runDemo } from './demo.js';
import type { FileTree } from '../data/file-tree.js';
import { openDataset } from '../data/formats/index.js';
import { previewDataset } from '../data/preview.js';
import { buildChannelGraph } from '../graph/channel-graph.js';
import { modelReport } from '../graph/preflight.js';
import { loadModel } from './model-source.js';
import { PRUNEFLOW_VERSION } from '../version.js';

export interface EngineOptions {
  host: EngineInfo['host'];
  /** Backends this host can offer, best first (Node adds tfjs-node; a browser worker only wasm and cpu). */
  candidates: readonly BackendCandidate[];
  backendPreference?: BackendPreference;
  /** Reads the built-in sample data set's files; each host knows where they are. */
  readAsset(name: string): Promise<Uint8Array>;
  /** Opens a file, folder or archive as a FileTree; absent where the host has no file system. */
  openDataSource?(path: string): Promise<FileTree>;
  /** Opens a model file (model.json with its shards, .h5, .keras) as a FileTree. */
  openModelSource?(path: string): Promise<FileTree>;
}

export class HostCapabilityError extends Error {
  override name = 'HostCapabilityError';
}

/** The engine behind every host: one task at a time, events to every subscriber. */
export function createEngine(options: EngineOptions): EngineApi {
  const listeners = new Set<(event: EngineEvent) => void>();
  const running = new Map<string, AbortController>();
  let backend: Promise<BackendReport> | undefined;
  let nextTask = 1;

  const emit = (event: EngineEvent) => {
    for (const listener of listeners) listener(event);
  };
  const ready = () => (backend ??= selectBackend(options.candidates, options.backendPreference));

  return {
    async getInfo() {
      return { name: 'Pruneflow', version: PRUNEFLOW_VERSION, host: options.host, backend: await ready() };
    },
    async startDemo(partial: Partial<DemoOptions>) {
      const report = await ready();
      if (running.size > 0) throw new Error('Another task is running; cancel it or wait for it to finish.');
      const taskId = `task-${nextTask++}`;
      const controller = new AbortController();
      running.set(taskId, controller);
      const demoOptions = { ...DEFAULT_DEMO_OPTIONS, ...partial };
      runDemo(demoOptions, {
        backend: report.active,
        readAsset: options.readAsset,
        signal: controller.signal,
        onProgress: (progress) => emit({ type: 'task-progress', taskId, progress }),
      })
        .then((result) => emit({ type: 'task-done', taskId, result }))
        .catch((error: unknown) =>
          emit(
            controller.signal.aborted
              ? { type: 'task-cancelled', taskId }
              : { type: 'task-failed', taskId, error: serializeError(error) },
          ),
        )
        .finally(() => running.delete(taskId));
      return { taskId };
    },
    async inspectDataset(path: string) {
      if (!options.openDataSource) throw new HostCapabilityError('This engine host cannot open files by path.');
      return previewDataset(await openDataset(await options.openDataSource(path)));
    },
    async inspectModel(source: string) {
      await ready();
      const model = await loadModel(source, options);
      try {
        return modelReport(model, buildChannelGraph(model));
      } finally {
        model.dispose();
      }
    },
    async cancelTask(taskId: string) {
      running.get(taskId)?.abort();
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
