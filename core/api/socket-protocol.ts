/**
 * Messages of the browser host's WebSocket (`pruneflow serve`). Calls and replies are the same
 * `EngineCall` / `CallReply` the Electron IPC carries; only the envelope is new. Types and plain data
 * only: the renderer imports this file.
 */
import type { EngineEvent } from './contract.js';
import type { CallReply, EngineCall } from './bridge.js';

/** The WebSocket's path on the server that served the page. */
export const ENGINE_SOCKET_PATH = '/engine';

/** Name of the page URL's query parameter (a script may also put it in the WebSocket's URL). */
export const TOKEN_PARAMETER = 'token';

/**
 * The token travels in the WebSocket's upgrade request itself, so that no socket ever opens without it:
 * a browser can set no header there but Sec-WebSocket-Protocol, so the page offers two subprotocols, the
 * engine's and one spelling the token. The server answers with the engine's alone.
 */
export const ENGINE_SUBPROTOCOL = 'pruneflow.engine';
export const TOKEN_SUBPROTOCOL_PREFIX = 'pruneflow.token.';

/** The subprotocols a page offers when it opens the engine's socket. */
export const engineSubprotocols = (token: string): string[] => [ENGINE_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`];

/** Browser to server: calls. */
export type ToServer = { type: 'call'; id: number; call: EngineCall };

/** Server to browser. A reply to a message too broken to have an id has `id: null`. */
export type FromServer = { type: 'reply'; id: number | null; reply: CallReply } | { type: 'event'; event: EngineEvent };

/**
 * Bytes (a data preview's thumbnails) travel as base64: plain JSON would write a Uint8Array as an object
 * with one key per byte, five to ten times the size, and the page would get an object, not bytes.
 */
const BYTES_KEY = '$bytes';

export function encodeMessage(message: ToServer | FromServer): string {
  return JSON.stringify(message, (_key, value: unknown) => (value instanceof Uint8Array ? { [BYTES_KEY]: toBase64(value) } : value));
}

export function decodeMessage(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    const encoded = (value as Record<string, unknown>)[BYTES_KEY];
    return keys.length === 1 && typeof encoded === 'string' ? fromBase64(encoded) : value;
  });
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
