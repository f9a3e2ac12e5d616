import type { CallReply } from '../api/bridge.js';
import type { HostFileValue } from '../api/host-files-protocol.js';
import { type FromEngineWorker, isHostFileReply } from '../api/worker-protocol.js';
import { hostFilesOver } from '../data/host-file-requests.js';
import type { HostFiles } from '../data/host-files.js';

/**
 * The user's files for an engine in a worker, asked of the page that started it (in the desktop app the
 * page reaches them through its preload). `receive` takes the page's replies; it says whether a message was one.
 */
export function pageHostFiles(post: (message: FromEngineWorker) => void): { files: HostFiles; receive(message: unknown): boolean } {
  const pending = new Map<number, (reply: CallReply<HostFileValue>) => void>();
  let nextId = 1;
  return {
    files: hostFilesOver(
      (request) =>
        new Promise((resolve) => {
          const id = nextId++;
          pending.set(id, resolve);
          post({ type: 'host-file', id, request });
        }),
    ),
    receive(message) {
      if (!isHostFileReply(message)) return false;
      pending.get(message.id)?.(message.reply);
      pending.delete(message.id);
      return true;
    },
  };
}
