import type { RawData, WebSocket } from 'ws';
import type { CallReply } from '../../api/bridge.js';
import type { EngineEndpoint } from '../engine-thread/engine-endpoint.js';
import { serializeError } from '../../api/errors.js';
import { decodeMessage, encodeMessage, type FromServer } from '../../api/socket-protocol.js';
import { InvalidCallError } from '../../api/validate-call.js';
import { tokenMatches } from './token.js';

/** A socket that has not shown the token within this time is closed. */
const HELLO_TIMEOUT_MS = 10_000;
/** WebSocket close code for a broken rule (RFC 6455). */
const POLICY_VIOLATION = 1008;

export interface EngineSockets {
  /** Takes over an upgraded socket; `authenticated` when its URL already carried the token. */
  accept(socket: WebSocket, authenticated: boolean): void;
  closeAll(): void;
}

/**
 * The engine behind WebSockets: every call is checked exactly as Electron's IPC checks it (by the engine,
 * `checkedEngine`), and a malformed message is answered with InvalidCallError, never run. Events go
 * to every socket that has shown the token; until it has, a socket gets nothing and may send only
 * `{ type: 'hello', token }`.
 */
export function engineSockets(engine: EngineEndpoint, token: string): EngineSockets {
  const open = new Set<WebSocket>();
  const trusted = new Set<WebSocket>();
  const send = (socket: WebSocket, message: FromServer) => {
    if (socket.readyState === socket.OPEN) socket.send(encodeMessage(message));
  };
  engine.onEvent((event) => {
    for (const socket of trusted) send(socket, { type: 'event', event });
  });

  const refuse = (socket: WebSocket, id: number | null, message: string) =>
    send(socket, { type: 'reply', id, reply: { ok: false, error: serializeError(new InvalidCallError(message)) } });

  const onMessage = (socket: WebSocket, data: RawData, isBinary: boolean) => {
    const message = isBinary ? undefined : parse(data);
    if (!trusted.has(socket)) {
      if (isHello(message) && tokenMatches(token, message.token)) return void trusted.add(socket);
      return socket.close(POLICY_VIOLATION, 'The first message must be { type: "hello", token }.');
    }
    if (isBinary) return refuse(socket, null, 'Invalid message: binary frames are not engine calls.');
    if (message === undefined) return refuse(socket, null, 'Invalid message: not JSON.');
    if (typeof message !== 'object' || message === null) return refuse(socket, null, "Invalid message: expected { type: 'call', id, call }.");
    const { type, id, call } = message as { type?: unknown; id?: unknown; call?: unknown };
    const callId = Number.isSafeInteger(id) ? (id as number) : null;
    if (type !== 'call' || callId === null) return refuse(socket, callId, "Invalid message: expected { type: 'call', id: integer, call }.");
    void engine.answer(call).then((reply: CallReply) => send(socket, { type: 'reply', id: callId, reply }));
  };

  return {
    accept(socket, authenticated) {
      open.add(socket);
      if (authenticated) trusted.add(socket);
      const timer = setTimeout(() => {
        if (!trusted.has(socket)) socket.close(POLICY_VIOLATION, 'No token was sent.');
      }, HELLO_TIMEOUT_MS);
      socket.on('message', (data, isBinary) => {
        // Whatever a message holds, it must not take the server (and every other tab's task) down.
        try {
          onMessage(socket, data, isBinary);
        } catch (error) {
          refuse(socket, null, `Invalid message: ${(error as Error).message}`);
        }
      });
      socket.on('close', () => {
        clearTimeout(timer);
        open.delete(socket);
        trusted.delete(socket);
      });
    },
    closeAll() {
      for (const socket of open) socket.close(1001, 'The server is stopping.');
    },
  };
}

function parse(data: RawData): unknown {
  try {
    return decodeMessage(data.toString());
  } catch {
    return undefined;
  }
}

function isHello(message: unknown): message is { type: 'hello'; token: unknown } {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'hello';
}
