import type { EngineEvent } from '../../api/contract.js';
import type { CallReply } from '../../api/bridge.js';

/** Messages between the main process and the engine worker. */
export type ToWorker = { type: 'call'; id: number; call: unknown };

export type FromWorker = { type: 'reply'; id: number; reply: CallReply } | { type: 'event'; event: EngineEvent };

/** The part of a worker_threads MessagePort (or `parentPort`) the engine side uses. */
export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}
