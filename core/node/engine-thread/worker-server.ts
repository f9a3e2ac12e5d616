import type { EngineApi } from '../../api/contract.js';
import { answerCalls } from '../../api/rpc.js';
import type { FromWorker, PortLike, ToWorker } from './worker-protocol.js';

/**
 * Serves an engine over a message port: calls in, replies and events out. The engine checks every call
 * at its entry, so the worker never trusts its port, whoever is on the other end.
 */
export function serveEngine(engine: EngineApi, port: PortLike): void {
  const answer = answerCalls(engine, (message: FromWorker) => port.postMessage(message));
  port.on('message', (message) => {
    if (isCall(message)) answer(message.id, message.call);
  });
}

function isCall(message: unknown): message is ToWorker {
  if (typeof message !== 'object' || message === null) return false;
  const { type, id } = message as Partial<ToWorker>;
  return type === 'call' && Number.isSafeInteger(id);
}
