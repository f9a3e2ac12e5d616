/**
 * The renderer's only door to the app: one object, `window.pruneflow`, with one function per engine
 * call. No raw ipcRenderer is exposed. Replies stay `{ ok, value | error }` because contextBridge
 * drops an Error's name; the renderer's client rethrows them with their name.
 * Built by Vite into one CommonJS file: a sandboxed preload can `require` only 'electron'.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EngineEvent } from '../core/api/contract.js';
import type { CallMethod, CallReply, EngineBridge } from '../core/api/bridge.js';
import { ENGINE_CALL_CHANNEL, ENGINE_EVENT_CHANNEL } from './ipc-channels.js';

function call<T>(method: CallMethod, ...args: unknown[]): Promise<CallReply<T>> {
  return ipcRenderer.invoke(ENGINE_CALL_CHANNEL, { method, args }) as Promise<CallReply<T>>;
}

const bridge: EngineBridge = {
  getInfo: () => call('getInfo'),
  startDemo: (options) => call('startDemo', options),
  startPruning: (config) => call('startPruning', config),
  startSensitivity: (config) => call('startSensitivity', config),
  inspectDataset: (path) => call('inspectDataset', path),
  inspectModel: (source) => call('inspectModel', source),
  cancelTask: (taskId) => call('cancelTask', taskId),
  onEvent(listener) {
    // The renderer gets the event only, never the IpcRendererEvent (which leads back to ipcRenderer).
    const forward = (_event: IpcRendererEvent, event: EngineEvent) => listener(event);
    ipcRenderer.on(ENGINE_EVENT_CHANNEL, forward);
    return () => void ipcRenderer.removeListener(ENGINE_EVENT_CHANNEL, forward);
  },
};

contextBridge.exposeInMainWorld('pruneflow', bridge);
