/**
 * Untrusted messages read as engine calls, checked against the contract's call table (ENGINE_CALLS in
 * contract.ts): the envelope (a known method, an array of arguments), then the arguments themselves.
 */
import { ENGINE_CALLS, type EngineApi } from './contract.js';
import type { CallMethod, EngineCall } from './bridge.js';
import { describe, isPlainObject } from './run-options.js';

/** A message that is not a well-formed engine call. It is answered with this error, never executed. */
export class InvalidCallError extends Error {
  override name = 'InvalidCallError';
}

export { MAX_EPOCHS } from './run-options.js';

/** Every engine call, once, in the order of the contract's table. */
export const CALL_METHODS = Object.keys(ENGINE_CALLS) as CallMethod[];

/** An untrusted message's envelope, checked: an object with a known method and an array of arguments. */
export function readCall(message: unknown): EngineCall {
  if (!isPlainObject(message)) throw new InvalidCallError(`Invalid engine call: expected an object, but got ${describe(message)}.`);
  const { method, args } = message;
  if (typeof method !== 'string' || !Object.hasOwn(ENGINE_CALLS, method)) {
    throw new InvalidCallError(`Invalid engine call: unknown method ${describe(method)}.`);
  }
  if (!Array.isArray(args)) throw new InvalidCallError(`Invalid engine call '${method}': args must be an array, but got ${describe(args)}.`);
  return { method, args } as EngineCall;
}

/** Checks an untrusted message's method and argument shapes; returns it typed or throws InvalidCallError. */
export function validateCall(message: unknown): EngineCall {
  const call = readCall(message);
  const fail = (why: string): never => {
    throw new InvalidCallError(`Invalid engine call '${call.method}': ${why}.`);
  };
  ENGINE_CALLS[call.method](call.args, fail);
  return call;
}

/**
 * The engine as every door reaches it (CLI in-process, Electron IPC, worker thread, web worker, WebSocket):
 * each call is checked here, once, before it runs, and a wrong one is refused with InvalidCallError.
 * Trailing undefined arguments are dropped first, as the transports drop them.
 */
export function checkedEngine(engine: EngineApi): EngineApi {
  const checked = Object.fromEntries(
    CALL_METHODS.map((method) => [
      method,
      async (...args: unknown[]) => {
        const call = validateCall({ method, args: withoutTrailingUndefined(args) });
        return (engine[method] as (...args: unknown[]) => Promise<unknown>).apply(engine, call.args);
      },
    ]),
  );
  return { ...checked, onEvent: (listener) => engine.onEvent(listener) } as EngineApi;
}

function withoutTrailingUndefined(args: unknown[]): unknown[] {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  return args.slice(0, end);
}
