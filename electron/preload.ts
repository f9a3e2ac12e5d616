/**
 * The renderer's only doors to the app: `window.pruneflow`, one function per engine call (the same
 * contract the browser host serves), and `window.pruneflowDesktop`, the desktop shell's commands and
 * document state (a desktop-only extra the UI can do without), and `window.pruneflowFiles`, one function
 * that hands the user's files to an engine in a worker of the page. No raw ipcRenderer is exposed. Replies
 * stay `{ ok, value | error }` because contextBridge drops an Error's name; the renderer's client
 * rethrows them with their name.
 * Built by Vite into one CommonJS file: a sandboxed preload can `require` only 'electron'.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EngineEvent } from '../core/api/contract.js';
import { bridgeCalls, type CallReply, type EngineBridge } from '../core/api/bridge.js';
import { type AppCommand, type DesktopShellBridge, parseAppCommand, parseDocumentState } from '../core/api/desktop-shell.js';
import type { HostFileBridge, HostFileValue } from '../core/api/host-files-protocol.js';
import {
  APP_COMMAND_CHANNEL,
  DOCUMENT_STATE_CHANNEL,
  ENGINE_CALL_CHANNEL,
  ENGINE_EVENT_CHANNEL,
  HOST_FILES_CHANNEL,
  SHELL_READY_CHANNEL,
} from './ipc-channels.js';

const bridge: EngineBridge = {
  ...bridgeCalls((method, args) => ipcRenderer.invoke(ENGINE_CALL_CHANNEL, { method, args }) as Promise<CallReply>),
  onEvent(listener) {
    // The renderer gets the event only, never the IpcRendererEvent (which leads back to ipcRenderer).
    const forward = (_event: IpcRendererEvent, event: EngineEvent) => listener(event);
    ipcRenderer.on(ENGINE_EVENT_CHANNEL, forward);
    return () => void ipcRenderer.removeListener(ENGINE_EVENT_CHANNEL, forward);
  },
};

let announcedReady = false;
const desktop: DesktopShellBridge = {
  onCommand(listener) {
    const forward = (_event: IpcRendererEvent, message: unknown) => {
      let command: AppCommand;
      try {
        command = parseAppCommand(message);
      } catch (error) {
        console.error(error);
        return;
      }
      listener(command);
    };
    ipcRenderer.on(APP_COMMAND_CHANNEL, forward);
    // Commands wait in the main process until the page listens (a file opened at launch).
    if (!announcedReady) {
      announcedReady = true;
      ipcRenderer.send(SHELL_READY_CHANNEL);
    }
    return () => void ipcRenderer.removeListener(APP_COMMAND_CHANNEL, forward);
  },
  setDocumentState(state) {
    ipcRenderer.send(DOCUMENT_STATE_CHANNEL, parseDocumentState(state));
  },
};

// Main checks the request; the preload only carries it.
const files: HostFileBridge = (request) => ipcRenderer.invoke(HOST_FILES_CHANNEL, request) as Promise<CallReply<HostFileValue>>;

contextBridge.exposeInMainWorld('pruneflow', bridge);
contextBridge.exposeInMainWorld('pruneflowFiles', files);
contextBridge.exposeInMainWorld('pruneflowDesktop', desktop);
