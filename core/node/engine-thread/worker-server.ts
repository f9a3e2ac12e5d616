import type { EngineApi } from '../../api/contract.js';
import { answerCall } from '../../api/answer-call.js';
import type { FromWorker, PortLike, ToWorker } from './worker-protocol.js';

/**
 * Serves an engine over a message port: calls in, replies and events out. Calls are validated again
 * here so the worker never trusts its port, whoever is on the other end.
 */
export function serveEngine(engine: EngineApi, port: PortLike): void {
  const send = (message: FromWorker) => port.postMessage(message);
  engine.onEvent((event) => send({ type: 'event', event }));
  port.on('message', (message) => {
    if (!isCall(message)) return;
    void answerCall(engine, message.call).then((reply) => send({ type: 'reply', id: message.id, reply }));
  });
}

function isCall(message: unknown): message is ToWorker {
  if (typeof message !== 'object' || message === null) return false;
  const { type, id } = message as Partial<ToWorker>;
  return type === 'call' && Number.isSafeInteger(id);
}
