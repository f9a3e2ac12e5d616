import type { IncomingMessage } from 'node:http';

/** Host names that always mean this computer. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** How a host appears in a URL: IPv6 addresses in brackets. */
export const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/**
 * Which Host headers the server answers. Bound to this computer only, it answers only loopback
 * names: a web page whose own domain resolves to 127.0.0.1 (DNS rebinding) is turned away before
 * its requests reach anything. Bound to a network address, any name may lead to it.
 */
export function hostFilter(boundHost: string, port: number): (hostHeader: string | undefined) => boolean {
  if (!isLoopback(boundHost)) return (header) => header !== undefined && header.length > 0;
  const allowed = new Set([...LOOPBACK_NAMES, urlHost(boundHost)].map((name) => `${name}:${port}`));
  return (header) => header !== undefined && allowed.has(header.toLowerCase());
}

/** True when the request's Origin is the very server it was sent to (a browser always sends Origin on a WebSocket). */
export function fromOwnOrigin(request: IncomingMessage): boolean {
  const { origin, host } = request.headers;
  return origin !== undefined && host !== undefined && origin.toLowerCase() === `http://${host.toLowerCase()}`;
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * Headers on every answer. The page may load only its own scripts and styles and connect only back
 * to this server (in CSP 3 'self' covers ws:// to the same host and port); no framing, no referrer
 * (the page URL holds the token), no MIME sniffing, nothing cached. Cross-origin isolated (COOP same-origin and
 * COEP require-corp on the page and on the workers' scripts; every answer is same-origin by CORP): the page engine
 * gets SharedArrayBuffer, and ONNX Runtime Web its threads (core/browser/web-ort-runner.ts).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};
