/**
 * Wire types shared by the main process, the preload and the renderer's hosts, and the list of calls.
 * The renderer and the preload import this file, so it must stay free of Electron, Node and tfjs.
 */
import type { EngineApi, EngineEvent, SerializedError } from './contract.js';
import { CALL_METHODS } from './validate-call.js';

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

/** Every call, once: the keys of the contract's call table (ENGINE_CALLS; a method missing there fails to compile). */
export { CALL_METHODS } from './validate-call.js';

/**
 * One bridge function per call, all sent through `send` (IPC, a WebSocket, a worker's port). Trailing
 * undefined arguments are dropped: JSON would turn them into null, which the call checks refuse.
 */
export function bridgeCalls(send: (method: CallMethod, args: unknown[]) => Promise<CallReply>): Omit<EngineBridge, 'onEvent'> {
  const given = (args: unknown[]) => {
    let end = args.length;
    while (end > 0 && args[end - 1] === undefined) end--;
    return args.slice(0, end);
  };
  return Object.fromEntries(CALL_METHODS.map((method) => [method, (...args: unknown[]) => send(method, given(args))])) as Omit<EngineBridge, 'onEvent'>;
}
