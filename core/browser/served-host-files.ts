import type { CallReply } from '../api/bridge.js';
import type { SerializedError } from '../api/contract.js';
import { HOST_FILES_PATH, HOST_FILES_TOKEN_HEADER, hostFilesOver, type HostFileValue } from '../api/host-files-protocol.js';
import type { HostFiles } from '../data/host-files.js';

/** The user's files as `pruneflow serve` hands them to the engine in a worker of its page (see host-files-endpoint.ts). */
export function servedHostFiles(origin: string, token: string): HostFiles {
  return hostFilesOver(async ({ op, path, bytes }): Promise<CallReply<HostFileValue>> => {
    const url = new URL(`${HOST_FILES_PATH}${op}`, origin);
    url.searchParams.set('path', path);
    const headers = { [HOST_FILES_TOKEN_HEADER]: token };
    const response = await fetch(url, op === 'write' ? { method: 'POST', headers, body: bytes } : { headers });
    if (!response.ok) {
      const error = (await response.json().catch(() => undefined)) as SerializedError | undefined;
      return { ok: false, error: error ?? { name: 'HostFileAccessError', message: `${op} ${path}: the server answered HTTP ${response.status}.` } };
    }
    const value = op === 'read' ? new Uint8Array(await response.arrayBuffer()) : op === 'write' ? null : ((await response.json()) as HostFileValue);
    return { ok: true, value };
  });
}
