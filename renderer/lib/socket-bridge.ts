/**
 * The browser host's side of `pruneflow serve`: the same `EngineBridge` the Electron preload exposes,
 * carried over a WebSocket to the server that served this page. Replies stay `{ ok, value | error }`
 * so `fromBridge` turns both hosts' replies into values and named errors the same way.
 */
import type { EngineBridge } from '../../core/api/bridge.js';
import { createCaller } from '../../core/api/rpc.js';
import { decodeMessage, encodeMessage, ENGINE_SOCKET_PATH, engineSubprotocols, type FromServer, type ToServer } from '../../core/api/socket-protocol.js';

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
export function socketBridge(
  url: string,
  token: string,
  open: (url: string, protocols: string[]) => WebSocket = (address, protocols) => new WebSocket(address, protocols),
): EngineBridge {
  const socket = open(url, engineSubprotocols(token));
  const opened = new Promise<void>((resolve) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('close', () => resolve());
  });
  const caller = createCaller(async (id, call) => {
    await opened;
    // A socket that closed before it opened has answered this call already (lose below).
    if (socket.readyState === socket.OPEN) socket.send(encodeMessage({ type: 'call', id, call } satisfies ToServer));
  });
  socket.addEventListener('close', (event) => {
    const why = event.reason ? `: ${event.reason}` : '';
    caller.lose(
      {
        name: 'EngineDisconnectedError',
        message: `The connection to the engine closed (code ${event.code}${why}). Is \`pruneflow serve\` still running? Reload the page once it is.`,
      },
      true,
    );
  });
  socket.addEventListener('message', (message) => {
    const data = decodeMessage(String(message.data)) as FromServer;
    if (data.type === 'event') caller.event(data.event);
    else if (data.id !== null) caller.reply(data.id, data.reply);
  });
  return caller.bridge;
}
