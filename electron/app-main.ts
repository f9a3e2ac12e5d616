import type { EngineEvent } from '../core/api/contract.js';
import type { AppPaths } from './app-paths.js';
import { type IpcMainLike, registerEngineIpc } from './ipc-bridge.js';
import { openMainWindow, type WindowConstructor, type WindowLike } from './main-window.js';
import { denyAllPermissions, hardenWebContents, type SessionLike, type WebContentsLike } from './security.js';
import { createWorkerRelay, type WorkerLike } from './worker-relay.js';

/** The parts of Electron's `app` used here; tests pass a fake. */
export interface AppLike {
  whenReady(): Promise<unknown>;
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): unknown;
  on(event: 'window-all-closed' | 'activate' | 'second-instance' | 'will-quit', listener: () => void): unknown;
}

export interface AppWindow extends WindowLike {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  focus(): void;
  webContents: { send(channel: string, ...args: unknown[]): void };
}

export interface AppWindowClass<W extends AppWindow> extends WindowConstructor<W> {
  getAllWindows(): W[];
}

export interface AppDeps<W extends AppWindow> {
  app: AppLike;
  BrowserWindow: AppWindowClass<W>;
  ipcMain: IpcMainLike;
  session: { defaultSession: SessionLike };
  paths: AppPaths;
  spawnEngine(): WorkerLike;
  platform: NodeJS.Platform;
}

/** Wires the app: one window, hardened pages, and the engine in a worker behind checked IPC. */
export function startApp<W extends AppWindow>(deps: AppDeps<W>): void {
  const { app, BrowserWindow, paths } = deps;
  // A second launch (e.g. opening a .pruneflow file) focuses the running app instead of racing it.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const relay = createWorkerRelay(deps.spawnEngine);
  const openWindow = () => openMainWindow(BrowserWindow, paths);
  const liveWindows = () => BrowserWindow.getAllWindows().filter((window) => !window.isDestroyed());

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    const [window] = liveWindows();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => {
    if (deps.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (liveWindows().length === 0) openWindow();
  });
  app.on('will-quit', () => void relay.dispose());

  void app.whenReady().then(() => {
    denyAllPermissions(deps.session.defaultSession);
    registerEngineIpc(deps.ipcMain, {
      relay,
      isTrustedSender: (url) => url.startsWith(paths.rendererUrlPrefix),
      broadcast: (channel: string, event: EngineEvent) => {
        for (const window of liveWindows()) window.webContents.send(channel, event);
      },
    });
    openWindow();
  });
}
