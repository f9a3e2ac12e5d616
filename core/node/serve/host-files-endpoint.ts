import type { IncomingMessage, ServerResponse } from 'node:http';
import { HOST_FILES_PATH, HOST_FILES_TOKEN_HEADER, HostFileRequestError } from '../../api/host-files-protocol.js';
import { serializeError } from '../../api/errors.js';
import { DatasetNotFoundError } from '../../data/file-tree.js';
import { FileReadError, NotRegularFileError } from '../../data/file-errors.js';
import { answerHostFile, parseHostFileRequest } from '../../data/host-file-requests.js';
import { FileWriteError, type HostFiles } from '../../data/host-files.js';
import { WriteRefusedError } from '../../data/write-policy.js';
import { FolderNotFoundError } from '../list-folder.js';
import { SECURITY_HEADERS } from './request-checks.js';
import { tokenMatches } from './token.js';

export class HostFileAccessError extends Error {
  override name = 'HostFileAccessError';
}

export interface HostFilesEndpointOptions {
  token: string;
  acceptsHost(hostHeader: string | undefined): boolean;
  files: HostFiles;
  /** Checks where a write would land (policy, real path) before its body is read. */
  checkWrite(path: string): Promise<void>;
  /** Streams an upload's body to its file (atomically), refusing it with `tooLarge()` past `maxBytes`. */
  writeStream(path: string, chunks: AsyncIterable<Uint8Array>, maxBytes: number, tooLarge: () => Error): Promise<unknown>;
  /** The largest file the page may write; the default is far above a project with a big baseline and many sessions. */
  maxWriteBytes?: number;
}

const MAX_WRITE_BYTES = 2 ** 31 - 1;
/** How long the rest of a refused upload is read (and dropped) before its connection is closed. */
const LINGER_MS = 2000;
/** A mangled URL path or query cannot hide a long trail of work behind it. */
const MAX_URL_LENGTH = 16 * 1024;

export const isHostFilesRequest = (request: IncomingMessage): boolean => (request.url ?? '').startsWith(HOST_FILES_PATH);

/**
 * The user's files for the engine in a worker of the served page: GET /host-files/{stat,list,read,folder}?path=,
 * and POST /host-files/write?path= with the file as the body (projects, exported models, reports).
 * Only the page itself gets them: the token must come in a header (a foreign page cannot set one without
 * a CORS preflight, which is never granted), the cookie does not count, and a request the browser marks
 * as cross-site or from another origin is refused. Errors come back as JSON `{ name, message }`.
 */
export function hostFilesEndpoint(options: HostFilesEndpointOptions): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    serve(request, response, options).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      const status =
        error instanceof HostFileAccessError || error instanceof WriteRefusedError
          ? 403
          : error instanceof DatasetNotFoundError || error instanceof FolderNotFoundError
            ? 404
            : error instanceof HostFileRequestError || error instanceof NotRegularFileError
              ? 400
              : error instanceof BodyTooLargeError
                ? 413
                : error instanceof FileWriteError || error instanceof FileReadError
                  ? 409
                  : 500;
      // A refused upload is answered at once; the rest of its body is never stored. What still arrives is read
      // and dropped for a moment before the connection closes ("lingering close", as web servers do): closing a
      // socket with unread data resets it, and the reset can reach the client before it has read the answer.
      if (request.method === 'POST' && !request.readableEnded) {
        request.resume();
        const timer = setTimeout(() => request.socket.destroy(), LINGER_MS).unref();
        request.once('end', () => clearTimeout(timer));
      }
      send(response, status, 'application/json; charset=utf-8', JSON.stringify(serializeError(error)));
    });
  };
}

async function serve(request: IncomingMessage, response: ServerResponse, options: HostFilesEndpointOptions): Promise<void> {
  if (!options.acceptsHost(request.headers.host)) throw new HostFileAccessError('This server answers only to its own address.');
  if (!sameOrigin(request)) throw new HostFileAccessError('Files are read only for the page this server served, not for another site.');
  if (!tokenMatches(options.token, request.headers[HOST_FILES_TOKEN_HEADER])) {
    throw new HostFileAccessError(`File requests need the server's token in the ${HOST_FILES_TOKEN_HEADER} header.`);
  }
  if ((request.url ?? '').length > MAX_URL_LENGTH) throw new HostFileRequestError(`A file request's address is at most ${MAX_URL_LENGTH} characters.`);
  const url = new URL(request.url ?? '/', 'http://pruneflow.invalid');
  const op = url.pathname.slice(HOST_FILES_PATH.length);
  const method = op === 'write' ? 'POST' : 'GET';
  if (request.method !== method) throw new HostFileAccessError(`A ${op} request is ${method}, not ${request.method}.`);
  const path = url.searchParams.get('path') ?? '';
  let value: unknown;
  if (op === 'write') {
    // Path and size are checked before a byte of the body is read: a refused upload costs nothing. The body
    // then goes straight to a temporary file beside the target, counted as it comes: never held in memory.
    parseHostFileRequest({ op, path, bytes: new Uint8Array(0) });
    await options.checkWrite(path);
    const limit = options.maxWriteBytes ?? MAX_WRITE_BYTES;
    const tooLarge = () => new BodyTooLargeError(`A file to write is at most ${limit} bytes.`);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw tooLarge();
    // Not destroyed when the write stops early: the refusal must still reach the client (then the connection closes).
    await options.writeStream(path, request.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>, limit, tooLarge);
    value = null; // what answerHostFile answers a write
  } else {
    value = await answerHostFile(options.files, parseHostFileRequest({ op, path }));
  }
  if (value instanceof Uint8Array) send(response, 200, 'application/octet-stream', value);
  else send(response, 200, 'application/json; charset=utf-8', JSON.stringify(value));
}

class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** Browsers mark every request with Sec-Fetch-Site and send Origin on cross-origin ones; either may name another site. */
function sameOrigin(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const { origin, host } = request.headers;
  return origin === undefined || (host !== undefined && origin.toLowerCase() === `http://${host.toLowerCase()}`);
}

function send(response: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
