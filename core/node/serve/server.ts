import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { TOKEN_PARAMETER } from '../../api/socket-protocol.js';
import type { EngineEndpoint } from '../engine-thread/engine-endpoint.js';
import { engineSockets } from './engine-socket.js';
import { hostFilter, urlHost } from './request-checks.js';
import { socketUpgrade } from './socket-upgrade.js';
import { staticSite } from './static-site.js';
import { createToken } from './token.js';
import { hostFilesEndpoint, isHostFilesRequest } from './host-files-endpoint.js';
import { nodeHostFiles } from '../node-host-files.js';

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

/** One engine behind one HTTP + WebSocket server, guarded by a fresh token. */
export async function startServer({ engine, root, host, port }: ServerOptions): Promise<RunningServer> {
  const token = createToken();
  const http = createServer();
  await listen(http, port, host);
  const bound = (http.address() as AddressInfo).port;
  const acceptsHost = hostFilter(host, bound);
  const sockets = engineSockets(engine, token);
  const webSockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const site = staticSite({ root, token, cookieName: `pruneflow-token-${bound}`, acceptsHost });
  // The user's files, for an engine running in a worker of the page.
  const files = hostFilesEndpoint({ token, acceptsHost, files: nodeHostFiles });
  http.on('request', (request, response) => (isHostFilesRequest(request) ? files : site)(request, response));
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
