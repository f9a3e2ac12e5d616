import type { EngineEvent, SerializedError } from '../../api/contract.js';
import { serializeError } from '../../api/errors.js';
import type { CallReply, EngineCall } from '../../api/bridge.js';
import { isTaskEnd } from '../../api/task-events.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/** The parts of a worker_threads Worker the relay uses; tests pass a fake. */
export interface WorkerLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (exitCode: number) => void): unknown;
  terminate(): Promise<number>;
}

/** The engine worker died (a crash, out of memory, a native abort). Calls and tasks in flight fail with it. */
export class EngineCrashedError extends Error {
  override name = 'EngineCrashedError';
}

/** The engine as its host (Electron's main process, `pruneflow serve`) sees it: validated calls in, plain replies and events out. */
export interface EngineRelay {
  call(call: EngineCall): Promise<CallReply>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** Called once per unexpected death of the worker, with a message for the user. */
  onCrash(listener: (error: EngineCrashedError) => void): () => void;
  dispose(): Promise<void>;
}

/**
 * Relays calls to an engine worker started on first use. If the worker dies, pending calls and
 * running tasks fail with EngineCrashedError (so no window waits forever) and the next call starts
 * a fresh worker.
 */
export function createWorkerRelay(spawn: () => WorkerLike): EngineRelay {
  const listeners = new Set<(event: EngineEvent) => void>();
  const crashListeners = new Set<(error: EngineCrashedError) => void>();
  const pending = new Map<number, { call: EngineCall; resolve: (reply: CallReply) => void }>();
  const running = new Set<string>();
  const ended = new Set<string>();
  let worker: WorkerLike | undefined;
  let nextId = 1;
  let disposed = false;

  const emit = (event: EngineEvent) => {
    if (isTaskEnd(event)) {
      running.delete(event.taskId);
      ended.add(event.taskId);
    } else if (!ended.has(event.taskId)) running.add(event.taskId);
    for (const listener of listeners) listener(event);
  };

  const failAll = (error: SerializedError) => {
    for (const { resolve } of pending.values()) resolve({ ok: false, error });
    pending.clear();
    for (const taskId of [...running]) emit({ type: 'task-failed', taskId, error });
  };

  const onMessage = (message: FromWorker) => {
    if (message.type === 'event') return emit(message.event);
    const entry = pending.get(message.id);
    if (!entry) return;
    pending.delete(message.id);
    // Every call that starts a task (startDemo, startPruning, startSensitivity, resumeSession) answers its
    // taskId: it runs from here, so a crash before its first event still fails it.
    const taskId = message.reply.ok ? startedTaskId(message.reply.value) : undefined;
    if (taskId !== undefined && !ended.has(taskId)) running.add(taskId);
    entry.resolve(message.reply);
  };

  const start = (): WorkerLike => {
    const started = spawn();
    // 'error' is followed by 'exit'; only the first report of a worker's death counts.
    const died = (message: string) => {
      if (worker !== started) return;
      worker = undefined;
      if (disposed) return;
      const error = new EngineCrashedError(`${message} Running work was stopped; the next action starts a fresh engine.`);
      failAll(serializeError(error));
      // A fresh worker numbers its tasks from task-1 again: what this one ran says nothing about those.
      running.clear();
      ended.clear();
      for (const listener of crashListeners) listener(error);
    };
    started.on('message', (message) => onMessage(message as FromWorker));
    started.on('error', (error) => died(`The engine stopped with an error: ${error.message.replace(/[.\s]*$/, '.')}`));
    started.on('exit', (code) => died(`The engine stopped unexpectedly (exit code ${code}).`));
    return started;
  };

  return {
    call(call) {
      if (disposed) return Promise.resolve({ ok: false, error: { name: 'EngineStoppedError', message: 'The engine has been shut down.' } });
      worker ??= start();
      const id = nextId++;
      const target = worker;
      return new Promise((resolve) => {
        pending.set(id, { call, resolve });
        target.postMessage({ type: 'call', id, call } satisfies ToWorker);
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onCrash(listener) {
      crashListeners.add(listener);
      return () => crashListeners.delete(listener);
    },
    async dispose() {
      disposed = true;
      failAll({ name: 'EngineStoppedError', message: 'The engine has been shut down.' });
      const stopping = worker;
      worker = undefined;
      await stopping?.terminate();
    },
  };
}

function startedTaskId(value: unknown): string | undefined {
  const taskId = typeof value === 'object' && value !== null ? (value as { taskId?: unknown }).taskId : undefined;
  return typeof taskId === 'string' ? taskId : undefined;
}
