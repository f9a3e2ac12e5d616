import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { ENGINE_SOCKET_PATH, TOKEN_PARAMETER } from '../../api/socket-protocol.js';
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
 * The gate in front of the engine's WebSocket. Refused before any WebSocket exists: an unknown host,
 * a path other than the engine's, an Origin other than the server's own (another web page the user
 * has open), and a wrong token in the URL. A URL without a token upgrades, but the socket must then
 * send the token first (see engineSockets).
 */
export function socketUpgrade(options: UpgradeOptions): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://pruneflow.invalid');
    if (!options.acceptsHost(request.headers.host)) return refuse(socket, 403, 'Forbidden');
    if (url.pathname !== ENGINE_SOCKET_PATH) return refuse(socket, 404, 'Not Found');
    if (!fromOwnOrigin(request)) return refuse(socket, 403, 'Forbidden');
    const token = url.searchParams.get(TOKEN_PARAMETER);
    if (token !== null && !tokenMatches(options.token, token)) return refuse(socket, 403, 'Forbidden');
    options.webSockets.handleUpgrade(request, socket, head, (webSocket) => options.sockets.accept(webSocket, token !== null));
  };
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
