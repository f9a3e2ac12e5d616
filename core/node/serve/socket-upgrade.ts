import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { ENGINE_SOCKET_PATH, TOKEN_PARAMETER, TOKEN_SUBPROTOCOL_PREFIX } from '../../api/socket-protocol.js';
import type { EngineSockets } from './engine-socket.js';
import { fromOwnOrigin } from './request-checks.js';
import { tokenMatches } from './token.js';

export interface UpgradeOptions {
  sockets: EngineSockets;
  webSockets: WebSocketServer;
  token: string;
  acceptsHost(hostHeader: string | undefined): boolean;
}

/**
 * The gate in front of the engine's WebSocket. Refused before any WebSocket exists: an unknown host
 * (DNS rebinding), a path other than the engine's, an Origin other than the server's own (another web
 * page the user has open), and a missing or wrong token. The token comes in the upgrade request itself,
 * as a subprotocol (`pruneflow.token.<token>`, what a page can send) or in the URL's `?token=` (scripts):
 * no socket is ever open without it.
 */
export function socketUpgrade(options: UpgradeOptions): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = new URL(request.url ?? '/', 'http://pruneflow.invalid');
      if (!options.acceptsHost(request.headers.host)) return refuse(socket, 403, 'Forbidden');
      if (url.pathname !== ENGINE_SOCKET_PATH) return refuse(socket, 404, 'Not Found');
      if (!fromOwnOrigin(request)) return refuse(socket, 403, 'Forbidden');
      if (!tokenMatches(options.token, tokenOf(request, url))) return refuse(socket, 401, 'Unauthorized');
      options.webSockets.handleUpgrade(request, socket, head, (webSocket) => options.sockets.accept(webSocket));
    } catch {
      refuse(socket, 400, 'Bad Request');
    }
  };
}

/** The token the upgrade request carries: in a subprotocol, else in the URL; undefined if none. */
function tokenOf(request: IncomingMessage, url: URL): string | undefined {
  const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((protocol) => protocol.trim());
  const inProtocol = offered.find((protocol) => protocol.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
  return inProtocol?.slice(TOKEN_SUBPROTOCOL_PREFIX.length) ?? url.searchParams.get(TOKEN_PARAMETER) ?? undefined;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  else socket.destroy();
}
