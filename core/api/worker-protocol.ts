import type { CallReply } from './bridge.js';
import type { EngineEvent } from './contract.js';
import type { HostFileRequest, HostFileValue } from './host-files-protocol.js';

/**
 * Messages between a UI and an engine in a worker (a Web Worker of the page, or a worker thread of the
 * desktop app): calls go in with an id, replies come back with it, events come unasked. An engine in a
 * page also asks its page for the user's files (the desktop app's page has them through its preload).
 */
/** The worker's address says where the user's files come from: `?files=page` when the page lends them (desktop app). */
export const FILES_PARAMETER = 'files';
export const FILES_FROM_PAGE = 'page';
/** The host's input limits for the engine in a page, as JSON (`?limits={"maxParseSeconds":20}`); absent ones keep their defaults. */
export const LIMITS_PARAMETER = 'limits';
/** `?forward=tfjs` keeps every forward pass on tfjs (the page twin of PRUNEFLOW_FORWARD_ENGINE=tfjs); the page passes it on to its worker. */
export const FORWARD_PARAMETER = 'forward';

export type ToEngineWorker = { type: 'call'; id: number; call: unknown } | { type: 'host-file-reply'; id: number; reply: CallReply<HostFileValue> };

export type FromEngineWorker =
  { type: 'reply'; id: number; reply: CallReply } | { type: 'event'; event: EngineEvent } | { type: 'host-file'; id: number; request: HostFileRequest };

export function isEngineWorkerCall(message: unknown): message is Extract<ToEngineWorker, { type: 'call' }> {
  if (typeof message !== 'object' || message === null) return false;
  const { type, id } = message as Partial<ToEngineWorker>;
  return type === 'call' && Number.isSafeInteger(id);
}

export function isHostFileReply(message: unknown): message is Extract<ToEngineWorker, { type: 'host-file-reply' }> {
  if (typeof message !== 'object' || message === null) return false;
  const { type, id, reply } = message as Partial<Extract<ToEngineWorker, { type: 'host-file-reply' }>>;
  return type === 'host-file-reply' && Number.isSafeInteger(id) && typeof reply === 'object' && reply !== null;
}
