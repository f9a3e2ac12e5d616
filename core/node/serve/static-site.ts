import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TOKEN_PARAMETER } from '../../api/socket-protocol.js';
import { cookieValue, SECURITY_HEADERS } from './request-checks.js';
import { contentTypeOf, existingFileUnder, staticPathFor } from './static-files.js';
import { tokenMatches } from './token.js';

export interface StaticSiteOptions {
  /** The built renderer (dist/renderer). */
  root: string;
  token: string;
  /** Admits the page's own files only (no engine, no user files): the one secret that may sit in a cookie. */
  assetKey: string;
  /** Per port: cookies ignore ports, and two servers on one computer must not overwrite each other's. */
  cookieName: string;
  acceptsHost(hostHeader: string | undefined): boolean;
}

/**
 * Serves the built renderer to whoever has the token. The page URL carries it as `?token=`; the
 * page's own scripts and styles are fetched by relative URLs without it, so a valid page request
 * also sets an HttpOnly, SameSite=Strict cookie that admits them. That cookie holds the asset key, not the
 * token: a browser sends a 127.0.0.1 cookie to every server on 127.0.0.1, whatever its port, and the
 * asset key grants nothing but these public files. The WebSocket and the file endpoint never accept it.
 */
export function staticSite(options: StaticSiteOptions): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    serve(request, response, options).catch(() => {
      if (!response.headersSent) answer(response, 500, 'Internal error.');
      else response.destroy();
    });
  };
}

async function serve(request: IncomingMessage, response: ServerResponse, options: StaticSiteOptions): Promise<void> {
  if (!options.acceptsHost(request.headers.host)) return answer(response, 403, 'Forbidden: this server answers only to its own address.');
  if (request.method !== 'GET' && request.method !== 'HEAD') return answer(response, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });
  const url = new URL(request.url ?? '/', 'http://pruneflow.invalid');
  const tokenInUrl = tokenMatches(options.token, url.searchParams.get(TOKEN_PARAMETER));
  if (!tokenInUrl && !tokenMatches(options.assetKey, cookieValue(request.headers.cookie, options.cookieName))) {
    return answer(response, 403, 'Forbidden: open the link with its token, as `pruneflow serve` printed it.');
  }
  const candidate = staticPathFor(options.root, url.pathname);
  const file = candidate && (await existingFileUnder(options.root, candidate));
  if (!file) return answer(response, 404, 'Not found.');
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': contentTypeOf(file.path),
    'Content-Length': file.size,
    ...(tokenInUrl && { 'Set-Cookie': `${options.cookieName}=${options.assetKey}; Path=/; HttpOnly; SameSite=Strict` }),
  });
  if (request.method === 'HEAD') return void response.end();
  createReadStream(file.path)
    .on('error', () => response.destroy())
    .pipe(response);
}

function answer(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  response.end(`${status} ${text}\n`);
}
