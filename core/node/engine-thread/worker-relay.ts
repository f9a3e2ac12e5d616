import type { EngineEvent } from '../../api/contract.js';
import { serializeError } from '../../api/errors.js';
import type { CallReply, EngineCall } from '../../api/bridge.js';
import { createCaller } from '../../api/rpc.js';
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
  const crashListeners = new Set<(error: EngineCrashedError) => void>();
  let worker: WorkerLike | undefined;
  let disposed = false;

  const start = (): WorkerLike => {
    const started = spawn();
    // 'error' is followed by 'exit'; only the first report of a worker's death counts.
    const died = (message: string) => {
      if (worker !== started) return;
      worker = undefined;
      if (disposed) return;
      const error = new EngineCrashedError(`${message} Running work was stopped; the next action starts a fresh engine.`);
      caller.lose(serializeError(error), false);
      for (const listener of crashListeners) listener(error);
    };
    started.on('message', (message) => {
      const data = message as FromWorker;
      if (data.type === 'event') caller.event(data.event);
      else caller.reply(data.id, data.reply);
    });
    started.on('error', (error) => died(`The engine stopped with an error: ${error.message.replace(/[.\s]*$/, '.')}`));
    started.on('exit', (code) => died(`The engine stopped unexpectedly (exit code ${code}).`));
    return started;
  };

  // Calls go to the worker of the moment, started on first use and again after a death.
  const caller = createCaller((id, call) => (worker ??= start()).postMessage({ type: 'call', id, call } satisfies ToWorker));

  return {
    call(call) {
      return caller.call(call);
    },
    onEvent: (listener) => caller.bridge.onEvent(listener),
    onCrash(listener) {
      crashListeners.add(listener);
      return () => crashListeners.delete(listener);
    },
    async dispose() {
      disposed = true;
      caller.lose({ name: 'EngineStoppedError', message: 'The engine has been shut down.' }, true);
      const stopping = worker;
      worker = undefined;
      await stopping?.terminate();
    },
  };
}
