import type { CallReply } from './bridge.js';
import type { EngineEvent } from './contract.js';

/**
 * Messages between a UI and an engine in a worker (a Web Worker of the page, or a worker thread of the
 * desktop app): calls go in with an id, replies come back with it, events come unasked.
 */
export type ToEngineWorker = { type: 'call'; id: number; call: unknown };

export type FromEngineWorker = { type: 'reply'; id: number; reply: CallReply } | { type: 'event'; event: EngineEvent };

export function isEngineWorkerCall(message: unknown): message is ToEngineWorker {
  if (typeof message !== 'object' || message === null) return false;
  const { type, id } = message as Partial<ToEngineWorker>;
  return type === 'call' && Number.isSafeInteger(id);
}
