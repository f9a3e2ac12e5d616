import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CALL_METHODS, type EngineBridge } from '../../core/api/bridge.js';
import type { AppCommand, DesktopShellBridge } from '../../core/api/desktop-shell.js';
import { APP_COMMAND_CHANNEL, DOCUMENT_STATE_CHANNEL, ENGINE_CALL_CHANNEL, HOST_FILES_CHANNEL, SHELL_READY_CHANNEL } from '../../electron/ipc-channels.js';
import type { HostFileBridge } from '../../core/api/host-files-protocol.js';
import { buildPreloadIfStale, ROOT } from '../build/run.js';

// The built preload (dist/electron/preload.cjs, one CommonJS file as a sandboxed preload must be),
// run against a fake `electron` module: what it exposes and what it sends.
class FakeIpcRenderer extends EventEmitter {
  sent: unknown[][] = [];
  invoked: unknown[][] = [];
  send(...args: unknown[]) {
    this.sent.push(args);
  }
  invoke(...args: unknown[]) {
    this.invoked.push(args);
    return Promise.resolve({ ok: true, value: null });
  }
}

let source: string;
beforeAll(async () => {
  await buildPreloadIfStale();
  source = readFileSync(join(ROOT, 'dist/electron/preload.cjs'), 'utf8');
}, 120_000);

function loadPreload() {
  const exposed = new Map<string, unknown>();
  const ipcRenderer = new FakeIpcRenderer();
  const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) }, ipcRenderer };
  const requireElectronOnly = (name: string) => {
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot require '${name}'`);
    return electron;
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', source)(requireElectronOnly, module, module.exports);
  return { exposed, ipcRenderer, engine: exposed.get('pruneflow') as EngineBridge, desktop: exposed.get('pruneflowDesktop') as DesktopShellBridge };
}

describe('preload', () => {
  it('exposes the engine bridge, the file bridge and the desktop shell, and nothing else', () => {
    const { exposed, engine } = loadPreload();
    expect([...exposed.keys()]).toEqual(['pruneflow', 'pruneflowFiles', 'pruneflowDesktop']);
    expect(Object.keys(engine).sort()).toEqual([...CALL_METHODS, 'onEvent'].sort());
    expect(CALL_METHODS).toContain('startPruning');
  });

  it('sends a file request as one message on the file channel, for main to check', async () => {
    const { exposed, ipcRenderer } = loadPreload();
    await (exposed.get('pruneflowFiles') as HostFileBridge)({ op: 'read', path: '/data/test_batch.bin' });
    expect(ipcRenderer.invoked).toEqual([[HOST_FILES_CHANNEL, { op: 'read', path: '/data/test_batch.bin' }]]);
  });

  it('sends engine calls as one message on the call channel', async () => {
    const { engine, ipcRenderer } = loadPreload();
    await engine.cancelTask('task-1');
    expect(ipcRenderer.invoked).toEqual([[ENGINE_CALL_CHANNEL, { method: 'cancelTask', args: ['task-1'] }]]);
  });

  it('announces once that the page listens, and passes on only well-formed commands', () => {
    const { desktop, ipcRenderer } = loadPreload();
    const received: AppCommand[] = [];
    desktop.onCommand((command) => received.push(command));
    const stop = desktop.onCommand(() => {});
    expect(ipcRenderer.sent).toEqual([[SHELL_READY_CHANNEL]]);
    stop();
    expect(ipcRenderer.listenerCount(APP_COMMAND_CHANNEL)).toBe(1);
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (error: unknown) => void errors.push(error);
    try {
      ipcRenderer.emit(APP_COMMAND_CHANNEL, {}, { type: 'open-project', path: '/p/a.pruneflow' });
      ipcRenderer.emit(APP_COMMAND_CHANNEL, {}, { type: 'open-project', path: '' });
      ipcRenderer.emit(APP_COMMAND_CHANNEL, {}, { type: 'eval', code: '1' });
    } finally {
      console.error = original;
    }
    expect(received).toEqual([{ type: 'open-project', path: '/p/a.pruneflow' }]);
    expect(errors.map((error) => (error as Error).name)).toEqual(['InvalidShellMessageError', 'InvalidShellMessageError']);
  });

  it('checks the document state before sending it', () => {
    const { desktop, ipcRenderer } = loadPreload();
    desktop.setDocumentState({ dirty: true, path: null });
    expect(ipcRenderer.sent).toEqual([[DOCUMENT_STATE_CHANNEL, { dirty: true, path: null }]]);
    expect(() => desktop.setDocumentState({ dirty: 'yes' } as never)).toThrow(/Invalid document state/);
    expect(ipcRenderer.sent).toHaveLength(1);
  });
});
