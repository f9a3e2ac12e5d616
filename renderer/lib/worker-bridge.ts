/**
 * The engine in a Web Worker of this page: GPU training through WebGPU or WebGL inside Chromium, with no
 * server and no native install. Same calls and events as every other host.
 */
import { bridgeCalls, type CallReply, type EngineBridge } from '../../core/api/bridge.js';
import type { EngineEvent } from '../../core/api/contract.js';
import type { FromEngineWorker, ToEngineWorker } from '../../core/api/worker-protocol.js';
import type { HostFileBridge, HostFileRequest } from '../../core/api/host-files-protocol.js';
import { TOKEN_PARAMETER } from '../../core/api/socket-protocol.js';
import { FILES_FROM_PAGE, FILES_PARAMETER } from '../../core/api/worker-protocol.js';

export class EngineWorkerError extends Error {
  override name = 'EngineWorkerError';
}

/** Where the engine in the worker gets the user's files: `pruneflow serve` (its token), or the desktop app's preload. */
export interface WorkerFiles {
  token?: string;
  bridge?: HostFileBridge;
}

/** `backend`: 'auto' or a backend id; the worker's bundle lies in ./engine/ beside the page. */
export function workerBridge(backend: string, files: WorkerFiles = {}): EngineBridge {
  const address = new URL('engine/engine-worker.js', location.href);
  address.searchParams.set('backend', backend);
  if (files.token) address.searchParams.set(TOKEN_PARAMETER, files.token);
  // The desktop app's preload lends this page the user's files; the worker asks the page for them.
  else if (files.bridge) address.searchParams.set(FILES_PARAMETER, FILES_FROM_PAGE);
  const worker = new Worker(address, { type: 'module' });
  const pending = new Map<number, (reply: CallReply) => void>();
  const listeners = new Set<(event: EngineEvent) => void>();
  let nextId = 1;
  let lost: CallReply | undefined;
  worker.addEventListener('message', ({ data }: MessageEvent<FromEngineWorker>) => {
    if (data.type === 'event') for (const listener of listeners) listener(data.event);
    else if (data.type === 'host-file') void answerHostFile(files.bridge, data.id, data.request).then((reply) => worker.postMessage(reply));
    else {
      pending.get(data.id)?.(data.reply);
      pending.delete(data.id);
    }
  });
  // A worker that fails to load or dies answers every waiting and later call with the reason.
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    lost = { ok: false, error: { name: EngineWorkerError.name, message: `The engine in this window stopped: ${event.message || 'its script failed to load'}.` } };
    for (const resolve of pending.values()) resolve(lost);
    pending.clear();
  });
  const send = (method: string, args: unknown[]): Promise<CallReply> => {
    if (lost) return Promise.resolve(lost);
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      worker.postMessage({ type: 'call', id, call: { method, args } } satisfies ToEngineWorker);
    });
  };
  return {
    ...bridgeCalls(send),
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/** The worker asks for a file; only the desktop app's preload can answer (a served page's worker asks the server itself). */
async function answerHostFile(bridge: HostFileBridge | undefined, id: number, request: HostFileRequest): Promise<ToEngineWorker> {
  if (!bridge) return { type: 'host-file-reply', id, reply: { ok: false, error: { name: 'HostCapabilityError', message: `This page has no access to files on this computer (${request.path}).` } } };
  const reply = await bridge(request).catch((error: Error) => ({ ok: false as const, error: { name: error.name, message: error.message } }));
  return { type: 'host-file-reply', id, reply };
}
