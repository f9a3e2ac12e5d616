import type { CallReply } from '../core/api/bridge.js';
import { serializeError } from '../core/api/errors.js';
import type { HostFileValue } from '../core/api/host-files-protocol.js';
import { answerHostFile, parseHostFileRequest } from '../core/data/host-file-requests.js';
import type { HostFiles } from '../core/data/host-files.js';
import { type IpcMainLike, UntrustedSenderError } from './ipc-bridge.js';
import { HOST_FILES_CHANNEL } from './ipc-channels.js';

export interface HostFilesIpcOptions {
  /** Only frames showing the app's own pages may read, list or write files. */
  isTrustedSender(url: string): boolean;
  /** This computer's files (core/node/node-host-files.ts in the app). */
  files: HostFiles;
}

/**
 * The user's files for an engine running in a worker of the app's page (WebGPU/WebGL): the page asks
 * through the preload's `pruneflowFiles`; main reads (answering with the bytes), lists a folder, or
 * writes one of Pruneflow's own files. Sender and request are checked first; anything wrong is
 * answered with a named error and touches no file.
 * Returns the function that disconnects.
 */
export function registerHostFilesIpc(ipcMain: IpcMainLike, options: HostFilesIpcOptions): () => void {
  ipcMain.handle(HOST_FILES_CHANNEL, async (event, ...args): Promise<CallReply<HostFileValue>> => {
    try {
      const url = event.senderFrame?.url ?? '';
      if (!options.isTrustedSender(url)) throw new UntrustedSenderError(`Files are only handed to the app's own pages, not to '${url}'.`);
      if (args.length !== 1) throw new TypeError(`A file request is one message, but got ${args.length}.`);
      return { ok: true, value: await answerHostFile(options.files, parseHostFileRequest(args[0])) };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  });
  return () => ipcMain.removeHandler(HOST_FILES_CHANNEL);
}
