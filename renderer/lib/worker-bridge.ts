/**
 * The engine in a Web Worker of this page: GPU training through WebGPU or WebGL inside Chromium, with no
 * server and no native install. Same calls and events as every other host.
 */
import type { EngineBridge } from '../../core/api/bridge.js';
import { createCaller } from '../../core/api/rpc.js';
import type { FromEngineWorker, ToEngineWorker } from '../../core/api/worker-protocol.js';
import type { HostFileBridge, HostFileRequest } from '../../core/api/host-files-protocol.js';
import { TOKEN_PARAMETER } from '../../core/api/socket-protocol.js';
import { FILES_FROM_PAGE, FILES_PARAMETER, FORWARD_PARAMETER } from '../../core/api/worker-protocol.js';

export class EngineWorkerError extends Error {
  override name = 'EngineWorkerError';
}

/** Where the engine in the worker gets the user's files: `pruneflow serve` (its token), or the desktop app's preload. */
export interface WorkerFiles {
  token?: string;
  bridge?: HostFileBridge;
}

/** The parts of a Web Worker the bridge uses; tests pass a stand-in. */
export interface WorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
}

/** `backend`: 'auto' or a backend id; the worker's bundle lies in ./engine/ beside the page. */
export function workerBridge(
  backend: string,
  files: WorkerFiles = {},
  { page = location.href, spawn = (address) => new Worker(address, { type: 'module' }) }: { page?: string; spawn?: (address: URL) => WorkerLike } = {},
): EngineBridge {
  const address = new URL('engine/engine-worker.js', page);
  address.searchParams.set('backend', backend);
  // `?forward=tfjs` on the page keeps the worker's forward passes on tfjs.
  const forward = new URL(page).searchParams.get(FORWARD_PARAMETER);
  if (forward) address.searchParams.set(FORWARD_PARAMETER, forward);
  if (files.token) address.searchParams.set(TOKEN_PARAMETER, files.token);
  // The desktop app's preload lends this page the user's files; the worker asks the page for them.
  else if (files.bridge) address.searchParams.set(FILES_PARAMETER, FILES_FROM_PAGE);
  const worker = spawn(address);
  const caller = createCaller((id, call) => worker.postMessage({ type: 'call', id, call } satisfies ToEngineWorker));
  worker.addEventListener('message', ({ data }: MessageEvent<FromEngineWorker>) => {
    if (data.type === 'event') caller.event(data.event);
    else if (data.type === 'host-file') void answerHostFile(files.bridge, data.id, data.request).then((reply) => worker.postMessage(reply));
    else caller.reply(data.id, data.reply);
  });
  // A worker that fails to load or dies fails every waiting call, every running task and every later call.
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    caller.lose({ name: EngineWorkerError.name, message: `The engine in this window stopped: ${event.message || 'its script failed to load'}.` }, true);
  });
  return caller.bridge;
}

/** The worker asks for a file; only the desktop app's preload can answer (a served page's worker asks the server itself). */
async function answerHostFile(bridge: HostFileBridge | undefined, id: number, request: HostFileRequest): Promise<ToEngineWorker> {
  if (!bridge)
    return {
      type: 'host-file-reply',
      id,
      reply: { ok: false, error: { name: 'HostCapabilityError', message: `This page has no access to files on this computer (${request.path}).` } },
    };
  const reply = await bridge(request).catch((error: Error) => ({ ok: false as const, error: { name: error.name, message: error.message } }));
  return { type: 'host-file-reply', id, reply };
}
