import type { EngineEvent } from '../core/api/contract.js';
import { serializeError } from '../core/api/errors.js';
import type { CallReply } from '../core/api/bridge.js';
import { ENGINE_CALL_CHANNEL, ENGINE_EVENT_CHANNEL } from './ipc-channels.js';
import { relayEndpoint } from '../core/node/engine-thread/engine-endpoint.js';
import type { EngineRelay } from '../core/node/engine-thread/worker-relay.js';

/** The parts of Electron's ipcMain used here; tests pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => void): unknown;
  removeAllListeners(channel: string): unknown;
}

export interface InvokeEventLike {
  senderFrame: { url: string } | null;
}

export class UntrustedSenderError extends Error {
  override name = 'UntrustedSenderError';
}

export interface EngineIpcOptions {
  relay: EngineRelay;
  /** Only frames showing the app's own pages may call the engine. */
  isTrustedSender(url: string): boolean;
  /** Sends an engine event to every app window. */
  broadcast(channel: string, event: EngineEvent): void;
}

/**
 * Connects renderer IPC to the engine. Every message is checked (sender, method, argument shapes)
 * before it reaches the engine; a bad one is answered with a named error and never run.
 * Returns the function that disconnects.
 */
export function registerEngineIpc(ipcMain: IpcMainLike, options: EngineIpcOptions): () => void {
  const engine = relayEndpoint(options.relay);
  ipcMain.handle(ENGINE_CALL_CHANNEL, async (event, ...args): Promise<CallReply> => {
    const url = event.senderFrame?.url ?? '';
    if (!options.isTrustedSender(url)) {
      return { ok: false, error: serializeError(new UntrustedSenderError(`Engine calls are only accepted from the app's own pages, not from '${url}'.`)) };
    }
    if (args.length !== 1) return { ok: false, error: serializeError(new TypeError(`An engine call is one message, but got ${args.length}.`)) };
    return engine.answer(args[0]);
  });
  const unsubscribe = engine.onEvent((event) => options.broadcast(ENGINE_EVENT_CHANNEL, event));
  return () => {
    ipcMain.removeHandler(ENGINE_CALL_CHANNEL);
    unsubscribe();
  };
}
