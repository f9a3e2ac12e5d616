import { type DocumentState, parseDocumentState } from '../core/api/desktop-shell.js';
import { DOCUMENT_STATE_CHANNEL, SHELL_READY_CHANNEL } from './ipc-channels.js';
import type { IpcMainLike } from './ipc-bridge.js';

export interface ShellIpcOptions {
  /** Only frames showing the app's own pages are heard. */
  isTrustedSender(url: string): boolean;
  onReady(): void;
  onDocumentState(state: DocumentState): void;
  /** A message that was dropped, and why (for the log). */
  onRejected(why: string): void;
}

/**
 * The renderer's two messages to the shell: "I listen for commands" and its document state. Both are
 * one-way; a message from a foreign frame or of the wrong shape is dropped. Returns the disconnect.
 */
export function registerShellIpc(ipcMain: IpcMainLike, options: ShellIpcOptions): () => void {
  const trusted = (url: string | undefined, channel: string): boolean => {
    if (url !== undefined && options.isTrustedSender(url)) return true;
    options.onRejected(`${channel} from '${url ?? 'a destroyed frame'}': not an app page.`);
    return false;
  };
  ipcMain.on(SHELL_READY_CHANNEL, (event) => {
    if (trusted(event.senderFrame?.url, SHELL_READY_CHANNEL)) options.onReady();
  });
  ipcMain.on(DOCUMENT_STATE_CHANNEL, (event, ...args) => {
    if (!trusted(event.senderFrame?.url, DOCUMENT_STATE_CHANNEL)) return;
    try {
      if (args.length !== 1) throw new TypeError(`expected one message, but got ${args.length}`);
      options.onDocumentState(parseDocumentState(args[0]));
    } catch (error) {
      options.onRejected(`${DOCUMENT_STATE_CHANNEL}: ${(error as Error).message}`);
    }
  });
  return () => {
    ipcMain.removeAllListeners(SHELL_READY_CHANNEL);
    ipcMain.removeAllListeners(DOCUMENT_STATE_CHANNEL);
  };
}
