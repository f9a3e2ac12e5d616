/**
 * Wire types shared by the main process, the preload and the renderer's Electron host. Types only:
 * the renderer imports this file, so it must stay free of Electron, Node and runtime code.
 */
import type { EngineApi, EngineEvent, SerializedError } from './contract.js';

/** Every request/response call of the engine; `onEvent` is a push channel, not a call. */
export type CallMethod = Exclude<keyof EngineApi, 'onEvent'>;

export type EngineCall = { [M in CallMethod]: { method: M; args: Parameters<EngineApi[M]> } }[CallMethod];

/**
 * A call's outcome as plain data. Errors travel as `{ name, message }` because neither IPC nor
 * Electron's contextBridge keep an Error's name.
 */
export type CallReply<T = unknown> = { ok: true; value: T } | { ok: false; error: SerializedError };

/** What the preload exposes as `window.pruneflow`: one function per engine call, replies unthrown. */
export type EngineBridge = {
  [M in CallMethod]: (...args: Parameters<EngineApi[M]>) => Promise<CallReply<Awaited<ReturnType<EngineApi[M]>>>>;
} & {
  onEvent(listener: (event: EngineEvent) => void): () => void;
};
