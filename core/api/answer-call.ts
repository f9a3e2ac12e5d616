import type { EngineApi } from './contract.js';
import { serializeError } from './errors.js';
import type { CallReply, EngineCall } from './bridge.js';
import { readCall } from './validate-call.js';

/** Runs one call on the engine: the method's name was checked against the list of calls (bridge.ts). */
export function dispatchCall(engine: EngineApi, call: EngineCall): Promise<unknown> {
  const method = engine[call.method] as (...args: unknown[]) => Promise<unknown>;
  return method.apply(engine, call.args);
}

/**
 * Reads an untrusted message, runs it and answers with plain data; never throws. The engine checks the
 * arguments at its entry (`checkedEngine`), so every door refuses the same calls with the same error.
 */
export async function answerCall(engine: EngineApi, message: unknown): Promise<CallReply> {
  try {
    return { ok: true, value: await dispatchCall(engine, readCall(message)) };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}
