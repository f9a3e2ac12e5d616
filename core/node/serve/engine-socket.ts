import type { RawData, WebSocket } from 'ws';
import type { EngineEndpoint } from '../engine-thread/engine-endpoint.js';
import { serializeError } from '../../api/errors.js';
import { decodeMessage, encodeMessage, type FromServer } from '../../api/socket-protocol.js';
import { InvalidCallError } from '../../api/validate-call.js';

export interface EngineSockets {
  /** Takes over a socket whose upgrade request carried the token (socketUpgrade lets no other through). */
  accept(socket: WebSocket): void;
  closeAll(): void;
}

/**
 * The engine behind WebSockets: every call is checked exactly as Electron's IPC checks it (by the engine,
 * `checkedEngine`), and a malformed message is answered with InvalidCallError, never run.
 * Events go to every open socket. A broken frame (unmasked, invalid UTF-8, over the size limit) closes that
 * socket alone, with the code RFC 6455 gives it: an error on one socket never reaches the process.
 */
export function engineSockets(engine: EngineEndpoint): EngineSockets {
  const open = new Set<WebSocket>();
  const send = (socket: WebSocket, message: FromServer) => {
    if (socket.readyState !== socket.OPEN) return;
    try {
      socket.send(encodeMessage(message));
    } catch (error) {
      if (message.type === 'reply') socket.send(encodeMessage({ ...message, reply: { ok: false, error: serializeError(error) } }));
    }
  };
  engine.onEvent((event) => {
    for (const socket of open) send(socket, { type: 'event', event });
  });

  const refuse = (socket: WebSocket, id: number | null, message: string) =>
    send(socket, { type: 'reply', id, reply: { ok: false, error: serializeError(new InvalidCallError(message)) } });

  const onMessage = (socket: WebSocket, data: RawData, isBinary: boolean) => {
    if (isBinary) return refuse(socket, null, 'Invalid message: binary frames are not engine calls.');
    const message = parse(data);
    if (message === undefined) return refuse(socket, null, 'Invalid message: not JSON.');
    if (typeof message !== 'object' || message === null) return refuse(socket, null, "Invalid message: expected { type: 'call', id, call }.");
    const { type, id, call } = message as { type?: unknown; id?: unknown; call?: unknown };
    const callId = Number.isSafeInteger(id) ? (id as number) : null;
    if (type !== 'call' || callId === null) return refuse(socket, callId, "Invalid message: expected { type: 'call', id: integer, call }.");
    void engine
      .answer(call)
      .catch((error: unknown) => ({ ok: false as const, error: serializeError(error) }))
      .then((reply) => send(socket, { type: 'reply', id: callId, reply }));
  };

  return {
    accept(socket) {
      open.add(socket);
      // ws closes the socket itself after a protocol error (1002, 1007, 1009); without a listener the error would be thrown.
      socket.on('error', () => undefined);
      socket.on('message', (data, isBinary) => {
        // Whatever a message holds, it must not take the server (and every other tab's task) down.
        try {
          onMessage(socket, data, isBinary);
        } catch (error) {
          refuse(socket, null, `Invalid message: ${(error as Error).message}`);
        }
      });
      socket.on('close', () => open.delete(socket));
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
