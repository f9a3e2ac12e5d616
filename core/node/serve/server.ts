import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { ENGINE_SUBPROTOCOL, TOKEN_PARAMETER } from '../../api/socket-protocol.js';
import type { EngineEndpoint } from '../engine-thread/engine-endpoint.js';
import { engineSockets } from './engine-socket.js';
import { hostFilter, urlHost } from './request-checks.js';
import { socketUpgrade } from './socket-upgrade.js';
import { staticSite } from './static-site.js';
import { createToken } from './token.js';
import { hostFilesEndpoint, isHostFilesRequest } from './host-files-endpoint.js';
import { nodeHostFiles } from '../node-host-files.js';
import { policyWriter } from '../write-target.js';

/** The largest message a browser may send; engine calls are small (paths and options). */
const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface ServerOptions {
  engine: EngineEndpoint;
  /** The built renderer folder. */
  root: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningServer {
  /** The page to open, token included. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * One engine behind one HTTP + WebSocket server, guarded by a fresh token. Nothing a client sends can
 * stop it: every socket has an error handler, every request handler catches what it throws.
 */
export async function startServer({ engine, root, host, port }: ServerOptions): Promise<RunningServer> {
  const token = createToken();
  // A second secret that admits only the page's own scripts and styles: it may sit in a cookie, which
  // every other server on this host name also receives (cookies ignore ports); the token never does.
  const assetKey = createToken();
  const http = createServer({ maxHeaderSize: 16 * 1024 });
  await listen(http, port, host);
  const bound = (http.address() as AddressInfo).port;
  const acceptsHost = hostFilter(host, bound);
  const sockets = engineSockets(engine);
  const webSockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // The page asks for the engine's subprotocol (plus the one carrying the token, never echoed back).
    handleProtocols: (protocols) => (protocols.has(ENGINE_SUBPROTOCOL) ? ENGINE_SUBPROTOCOL : false),
  });
  webSockets.on('error', () => undefined);
  const site = staticSite({ root, token, assetKey, cookieName: `pruneflow-assets-${bound}`, acceptsHost });
  // The user's files, for an engine running in a worker of the page; its writes follow the page's write policy.
  const pageWrites = policyWriter('page');
  const files = hostFilesEndpoint({
    token,
    acceptsHost,
    files: nodeHostFiles,
    checkWrite: (path) => pageWrites.checkWrite(path, 'file'),
    writeStream: pageWrites.writeStream,
  });
  http.on('request', (request: IncomingMessage, response: ServerResponse) => {
    request.on('error', () => response.destroy());
    response.on('error', () => undefined);
    try {
      (isHostFilesRequest(request) ? files : site)(request, response);
    } catch {
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    }
  });
  // A malformed request line or headers: answered 400 and closed, never a crash.
  http.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  http.on('upgrade', socketUpgrade({ sockets, webSockets, token, acceptsHost }));
  // A wildcard address is not one to browse to; this computer's loopback always works.
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : urlHost(host);
  return {
    url: `http://${shown}:${bound}/?${TOKEN_PARAMETER}=${token}`,
    port: bound,
    async close() {
      sockets.closeAll();
      webSockets.close();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
