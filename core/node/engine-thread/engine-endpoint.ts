import type { EngineEvent } from '../../api/contract.js';
import type { CallReply } from '../../api/bridge.js';
import { serializeError } from '../../api/errors.js';
import { validateCall } from '../../api/validate-call.js';
import type { EngineRelay } from './worker-relay.js';

/** An engine as a host that answers untrusted messages sees it: any message in, a checked reply out. */
export interface EngineEndpoint {
  answer(call: unknown): Promise<CallReply>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
}

/** An engine in a worker thread: validated here, so a malformed message never reaches the worker. */
export function relayEndpoint(relay: EngineRelay): EngineEndpoint {
  return {
    async answer(call) {
      try {
        return await relay.call(validateCall(call));
      } catch (error) {
        return { ok: false, error: serializeError(error) };
      }
    },
    onEvent: (listener) => relay.onEvent(listener),
  };
}
