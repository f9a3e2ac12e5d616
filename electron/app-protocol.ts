import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';

/**
 * The renderer is served from its own origin, `app://pruneflow/`, rather than file:// (Electron's security
 * checklist, "use a custom protocol"): 'self' in the page's Content Security Policy then means the app's
 * files only, and the in-page engine's module worker can fetch its wasm and assets, which workers cannot
 * do from file://.
 */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://pruneflow`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** For `protocol.registerSchemesAsPrivileged`, before the app is ready: a secure, standard origin with fetch. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

export const isAppUrl = (url: string) => url.startsWith(`${APP_ORIGIN}/`);

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  // WebAssembly.instantiateStreaming refuses any other type.
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.gz': 'application/gzip',
  '.bin': 'application/octet-stream',
};

/**
 * On every file: the page is cross-origin isolated (COOP same-origin and COEP require-corp on the document and on
 * the workers' scripts, as `pruneflow serve` sends them), so the in-page engine has SharedArrayBuffer and ONNX
 * Runtime Web its threads. The app loads only its own files (same origin: COEP asks nothing more of them).
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Answers `app://pruneflow/<path>` with the file at <path> under the renderer folder. Anything else (another
 * host, a path that climbs out of the folder, a folder, a missing file) gets a 404 and reads nothing.
 */
export function appProtocolHandler(rendererDir: string, read: (path: string) => Promise<Uint8Array> = readFile) {
  const root = resolve(rendererDir);
  return async (request: Request): Promise<Response> => {
    const file = fileFor(request.url, root);
    if (!file) return notFound();
    try {
      const body = await read(file);
      const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      return new Response(body, { headers: { ...ISOLATION_HEADERS, 'Content-Type': type } });
    } catch {
      return notFound();
    }
  };
}

function fileFor(url: string, root: string): string | undefined {
  let parsed: URL;
  let path: string;
  try {
    parsed = new URL(url);
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (`${parsed.protocol}//${parsed.host}` !== APP_ORIGIN || path.includes('\0')) return undefined;
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  const inside = relative(root, file);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? file : undefined;
}

const notFound = () => new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
