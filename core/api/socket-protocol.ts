/**
 * Messages of the browser host's WebSocket (`pruneflow serve`). Calls and replies are the same
 * `EngineCall` / `CallReply` the Electron IPC carries; only the envelope is new. Types and plain data
 * only: the renderer imports this file.
 */
import type { EngineEvent } from './contract.js';
import type { CallReply, EngineCall } from './bridge.js';

/** The WebSocket's path on the server that served the page. */
export const ENGINE_SOCKET_PATH = '/engine';

/** Name of the page URL's query parameter (and the WebSocket's, if it is not sent in a `hello`). */
export const TOKEN_PARAMETER = 'token';

/** Browser to server: a `hello` with the token first (unless the socket URL had it), then calls. */
export type ToServer = { type: 'hello'; token: string } | { type: 'call'; id: number; call: EngineCall };

/** Server to browser. A reply to a message too broken to have an id has `id: null`. */
export type FromServer = { type: 'reply'; id: number | null; reply: CallReply } | { type: 'event'; event: EngineEvent };
