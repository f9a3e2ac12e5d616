import type { CallReply } from '../api/bridge.js';
import type { SerializedError } from '../api/contract.js';
import { HOST_FILES_PATH, HOST_FILES_TOKEN_HEADER, type HostFileValue } from '../api/host-files-protocol.js';
import { hostFilesOver } from '../data/host-file-requests.js';
import type { HostFiles } from '../data/host-files.js';

/** A file request never got a proper answer from `pruneflow serve` (the server stopped, the network failed, a reply not in its format). */
export class HostFileTransportError extends Error {
  override name = 'HostFileTransportError';
}

/** The user's files as `pruneflow serve` hands them to the engine in a worker of its page (see host-files-endpoint.ts). */
export function servedHostFiles(origin: string, token: string): HostFiles {
  return hostFilesOver(async ({ op, path, bytes }): Promise<CallReply<HostFileValue>> => {
    const url = new URL(`${HOST_FILES_PATH}${op}`, origin);
    url.searchParams.set('path', path);
    const headers = { [HOST_FILES_TOKEN_HEADER]: token };
    const response = await fetch(url, op === 'write' ? { method: 'POST', headers, body: bytes } : { headers }).catch((error: unknown) => {
      throw new HostFileTransportError(`${op} ${path}: the server could not be reached (${(error as Error).message}); is \`pruneflow serve\` still running?`);
    });
    if (!response.ok) {
      // The endpoint answers every refusal as JSON { name, message }; anything else came from elsewhere.
      const error = (await response.json().catch(() => undefined)) as SerializedError | undefined;
      if (typeof error?.name !== 'string' || typeof error.message !== 'string') {
        throw new HostFileTransportError(`${op} ${path}: the server answered HTTP ${response.status} without saying why.`);
      }
      return { ok: false, error };
    }
    const value = op === 'read' ? new Uint8Array(await response.arrayBuffer()) : op === 'write' ? null : ((await response.json()) as HostFileValue);
    return { ok: true, value };
  });
}
