/**
 * The browser host's side of `pruneflow serve`: the same `EngineBridge` the Electron preload exposes,
 * carried over a WebSocket to the server that served this page. Replies stay `{ ok, value | error }`
 * so `fromBridge` turns both hosts' replies into values and named errors the same way.
 */
import type { EngineEvent } from '../../core/api/contract.js';
import { bridgeCalls, type CallMethod, type CallReply, type EngineBridge, type EngineCall } from '../../core/api/bridge.js';
import { decodeMessage, encodeMessage, ENGINE_SOCKET_PATH, engineSubprotocols, type FromServer, type ToServer } from '../../core/api/socket-protocol.js';
import { isTaskEnd } from '../../core/api/task-events.js';

/** The WebSocket URL on the server that served `page`. */
export function engineSocketUrl(page: Location | URL): string {
  return `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}${ENGINE_SOCKET_PATH}`;
}

/**
 * Connects at once; calls made before the socket opens wait for it. The token goes in the upgrade
 * request itself, as a subprotocol (a page can set no other header there), never in the URL; the
 * server opens no socket without it. If the connection drops, pending calls and running tasks fail with
 * EngineDisconnectedError, so no view waits forever (as Electron's relay does when its engine dies).
 */
export function socketBridge(url: string, token: string): EngineBridge {
  const socket = new WebSocket(url, engineSubprotocols(token));
  const listeners = new Set<(event: EngineEvent) => void>();
  const pending = new Map<number, (reply: CallReply) => void>();
  const running = new Set<string>();
  let nextId = 1;
  let lost: CallReply | undefined;

  const opened = new Promise<void>((resolve) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('close', () => resolve());
  });
  const emit = (event: EngineEvent) => {
    if (isTaskEnd(event)) running.delete(event.taskId);
    else running.add(event.taskId);
    for (const listener of listeners) listener(event);
  };
  socket.addEventListener('close', (event) => {
    const why = event.reason ? `: ${event.reason}` : '';
    const error = {
      name: 'EngineDisconnectedError',
      message: `The connection to the engine closed (code ${event.code}${why}). Is \`pruneflow serve\` still running? Reload the page once it is.`,
    };
    lost = { ok: false, error };
    for (const resolve of pending.values()) resolve(lost);
    pending.clear();
    for (const taskId of running) emit({ type: 'task-failed', taskId, error });
  });
  socket.addEventListener('message', (message) => {
    const data = decodeMessage(String(message.data)) as FromServer;
    if (data.type === 'event') emit(data.event);
    else if (data.id !== null) {
      pending.get(data.id)?.(data.reply);
      pending.delete(data.id);
    }
  });

  const call = async (method: CallMethod, args: unknown[]): Promise<CallReply> => {
    await opened;
    if (lost) return lost;
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve as (reply: CallReply) => void);
      socket.send(encodeMessage({ type: 'call', id, call: { method, args } as EngineCall } satisfies ToServer));
    });
  };

  return {
    ...bridgeCalls(call),
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
