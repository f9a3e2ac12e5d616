import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import { type AppDeps, type AppWindow, startApp } from '../../electron/app-main.js';
import { appPaths } from '../../electron/app-paths.js';
import { ENGINE_CALL_CHANNEL } from '../../electron/ipc-channels.js';
import type { WebContentsLike } from '../../electron/security.js';
import type { WorkerLike } from '../../electron/worker-relay.js';

// Electron stand-ins: just enough behaviour to watch what the app does with them.
class FakeApp extends EventEmitter {
  quitCalls = 0;
  hasLock = true;
  readonly ready = Promise.resolve();
  whenReady = () => this.ready;
  requestSingleInstanceLock = () => this.hasLock;
  quit = () => void this.quitCalls++;
}

class FakeWindow extends EventEmitter implements AppWindow {
  static all: FakeWindow[] = [];
  static getAllWindows = () => FakeWindow.all;
  shown = false;
  loaded?: string;
  focused = false;
  sent: unknown[][] = [];
  webContents = { send: (...args: unknown[]) => void this.sent.push(args) };
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeWindow.all.push(this);
  }
  show = () => void (this.shown = true);
  loadFile = async (path: string) => void (this.loaded = path);
  isDestroyed = () => false;
  isMinimized = () => false;
  restore = () => {};
  focus = () => void (this.focused = true);
}

class FakeWebContents extends EventEmitter implements WebContentsLike {
  openHandler?: (details: { url: string }) => { action: 'deny' };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
    this.openHandler = handler;
  }
}

function launch(options: { hasLock?: boolean; platform?: NodeJS.Platform } = {}) {
  FakeWindow.all = [];
  const app = new FakeApp();
  app.hasLock = options.hasLock ?? true;
  const handlers = new Map<string, unknown>();
  const permissions: {
    request?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
    check?: () => boolean;
  } = {};
  const spawns: string[] = [];
  const deps: AppDeps<FakeWindow> = {
    app,
    BrowserWindow: FakeWindow,
    ipcMain: { handle: (channel, listener) => void handlers.set(channel, listener), removeHandler: () => {} },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler) => void (permissions.request = handler),
        setPermissionCheckHandler: (handler) => void (permissions.check = handler),
      },
    },
    paths: appPaths(new URL('file:///opt/pruneflow/resources/app.asar/dist/electron/')),
    // Reaching the engine is all these tests need to see; a failing start is reported like any error.
    spawnEngine: (): WorkerLike => {
      spawns.push('engine');
      throw new Error('no engine in this test');
    },
    platform: options.platform ?? 'linux',
  };
  startApp(deps);
  return { app, handlers, permissions, spawns, ready: app.ready.then(() => new Promise((r) => setTimeout(r, 0))) };
}

describe('startApp', () => {
  it('opens one hardened window once ready, with the engine behind IPC', async () => {
    const { handlers, permissions, ready } = launch();
    expect(FakeWindow.all).toHaveLength(0);
    await ready;
    expect(FakeWindow.all).toHaveLength(1);
    const [window] = FakeWindow.all;
    expect(window!.options.webPreferences).toMatchObject({
      preload: '/opt/pruneflow/resources/app.asar/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(window!.loaded).toBe('/opt/pruneflow/resources/app.asar/dist/renderer/index.html');
    expect(window!.shown).toBe(false);
    window!.emit('ready-to-show');
    expect(window!.shown).toBe(true);
    expect([...handlers.keys()]).toEqual([ENGINE_CALL_CHANNEL]);
    const answers: boolean[] = [];
    permissions.request!(undefined, 'media', (granted: boolean) => answers.push(granted));
    expect(answers).toEqual([false]);
    expect(permissions.check!()).toBe(false);
  });

  it('blocks navigation, new windows and webviews in every page', () => {
    const { app } = launch();
    const contents = new FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      contents.emit(name, { preventDefault: () => (prevented = true) }, 'https://example.com/');
      expect(prevented, name).toBe(true);
    }
    expect(contents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('trusts IPC only from its own renderer pages, and starts the engine on first use', async () => {
    const { handlers, spawns, ready } = launch();
    await ready;
    expect(spawns).toEqual([]);
    const handler = handlers.get(ENGINE_CALL_CHANNEL) as (event: unknown, message: unknown) => Promise<unknown>;
    const call = { method: 'getInfo', args: [] };
    const foreign = await handler({ senderFrame: { url: 'file:///opt/other/index.html' } }, call);
    expect(foreign).toMatchObject({ ok: false, error: { name: 'UntrustedSenderError' } });
    expect(spawns).toEqual([]);
    const own = await handler({ senderFrame: { url: 'file:///opt/pruneflow/resources/app.asar/dist/renderer/index.html' } }, call);
    expect(own).toEqual({ ok: false, error: { name: 'Error', message: 'no engine in this test' } });
    expect(spawns).toEqual(['engine']);
  });

  it('quits when another instance already runs', () => {
    const { app } = launch({ hasLock: false });
    expect(app.quitCalls).toBe(1);
    expect(app.listenerCount('window-all-closed')).toBe(0);
  });

  it('focuses the running window when launched again', async () => {
    const { app, ready } = launch();
    await ready;
    app.emit('second-instance');
    expect(FakeWindow.all[0]!.focused).toBe(true);
  });

  it('quits when the last window closes, except on macOS', () => {
    const linux = launch({ platform: 'linux' });
    linux.app.emit('window-all-closed');
    expect(linux.app.quitCalls).toBe(1);
    const mac = launch({ platform: 'darwin' });
    mac.app.emit('window-all-closed');
    expect(mac.app.quitCalls).toBe(0);
  });

  it('reopens a window on activate when none is open', async () => {
    const { app, ready } = launch({ platform: 'darwin' });
    await ready;
    FakeWindow.all = [];
    app.emit('activate');
    expect(FakeWindow.all).toHaveLength(1);
  });
});
