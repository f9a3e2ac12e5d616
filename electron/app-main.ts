import type { Menu, MenuItemConstructorOptions } from 'electron';
import type { EngineEvent } from '../core/api/contract.js';
import type { AppCommand } from '../core/api/desktop-shell.js';
import { aboutDetail, type AppVersions, buildMenuTemplate } from './app-menu.js';
import { type AppPaths, stateFiles } from './app-paths.js';
import { APP_SCHEME, appProtocolHandler, isAppUrl } from './app-protocol.js';
import { CommandOutbox } from './command-outbox.js';
import { APP_COMMAND_CHANNEL } from './ipc-channels.js';
import { type IpcMainLike, registerEngineIpc } from './ipc-bridge.js';
import { openMainWindow, type WindowConstructor, type WindowLike } from './main-window.js';
import { type DialogLike, ProjectDocument } from './project-document.js';
import { projectFilesInArgv } from './project-files.js';
import { RecentFiles } from './recent-files.js';
import { allowOnlyLocalRequests, denyAllPermissions, hardenWebContents, type SessionLike, type WebContentsLike } from './security.js';
import { registerShellIpc } from './shell-ipc.js';
import { registerHostFilesIpc } from './host-files-ipc.js';
import { nodeHostFiles } from '../core/node/node-host-files.js';
import { type NativeThemeLike, restoreTheme, toggleDarkTheme } from './theme.js';
import { readWindowState, type Rect, restoreBounds, saveWindowState, type StatefulWindow } from './window-state.js';
import { createWorkerRelay, type WorkerLike } from '../core/node/engine-thread/worker-relay.js';

interface PreventableEvent {
  preventDefault(): void;
}

/** The parts of Electron's `app` used here; tests pass a fake. */
export interface AppLike {
  readonly isPackaged: boolean;
  whenReady(): Promise<unknown>;
  requestSingleInstanceLock(): boolean;
  enableSandbox(): void;
  quit(): void;
  getName(): string;
  getVersion(): string;
  getPath(name: 'userData'): string;
  /** macOS and Windows only: the Dock menu / jump list. */
  addRecentDocument(path: string): void;
  clearRecentDocuments(): void;
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): unknown;
  on(event: 'second-instance', listener: (event: unknown, argv: string[], workingDirectory: string) => void): unknown;
  on(event: 'open-file', listener: (event: PreventableEvent, path: string) => void): unknown;
  on(event: 'window-all-closed' | 'activate' | 'will-quit', listener: () => void): unknown;
}

export interface AppWindow extends WindowLike, StatefulWindow {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  focus(): void;
  close(): void;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  webContents: {
    send(channel: string, ...args: unknown[]): void;
    on(event: 'did-start-loading', listener: () => void): unknown;
  };
}

export interface AppWindowClass<W extends AppWindow> extends WindowConstructor<W> {
  getAllWindows(): W[];
}

export interface AppDeps<W extends AppWindow> {
  app: AppLike;
  BrowserWindow: AppWindowClass<W>;
  ipcMain: IpcMainLike;
  session: { defaultSession: SessionLike };
  /** Serves the renderer as app://pruneflow/ (the scheme is registered as privileged before 'ready', in main.ts). */
  protocol: { handle(scheme: string, handler: (request: Request) => Promise<Response>): void };
  dialog: DialogLike<W>;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): Menu; setApplicationMenu(menu: Menu | null): void };
  nativeTheme: NativeThemeLike;
  screen: { getAllDisplays(): { workArea: Rect }[]; getPrimaryDisplay(): { workArea: Rect } };
  shell: { openPath(path: string): Promise<string> };
  paths: AppPaths;
  spawnEngine(): WorkerLike;
  platform: NodeJS.Platform;
  /** The launch's own command line and folder (a double-clicked file arrives here on Windows and Linux). */
  argv: string[];
  cwd: string;
  versions: Omit<AppVersions, 'app'>;
  log(message: string): void;
}

/**
 * Wires the app: one instance and one window (its place remembered), native menus whose actions
 * reach the UI as app commands, hardened pages, and the engine in a worker behind checked IPC.
 */
export function startApp<W extends AppWindow>(deps: AppDeps<W>): void {
  const { app, BrowserWindow, paths, platform } = deps;
  // A second launch (e.g. opening a .pruneflow file) hands its files to the running app instead of racing it.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // Every renderer sandboxed, whatever a window's options say; must happen before 'ready'.
  app.enableSandbox();

  const relay = createWorkerRelay(deps.spawnEngine);
  const files = stateFiles(app.getPath('userData'));
  const recent = new RecentFiles(files.recentFiles, platform === 'linux' ? {} : app);
  let mainWindow: W | undefined;
  const liveWindow = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined);
  const outbox = new CommandOutbox((command: AppCommand) => liveWindow()?.webContents.send(APP_COMMAND_CHANNEL, command));
  let isReady = false;
  const project = new ProjectDocument(liveWindow, deps.dialog, outbox, recent, () => {
    if (isReady) refreshMenu();
  });

  const refreshMenu = () => {
    const template = buildMenuTemplate(
      {
        appName: app.getName(),
        platform,
        isDev: !app.isPackaged,
        recent: recent.paths,
        darkTheme: deps.nativeTheme.shouldUseDarkColors,
        projectOpen: project.state.path !== null,
      },
      {
        newProject: () => project.newProject(),
        open: () => void project.open(),
        openRecent: (path) => project.openPath(path),
        clearRecent: () => {
          recent.clear();
          refreshMenu();
        },
        save: () => void project.save(),
        saveAs: () => void project.saveAs(),
        exportModel: () => project.exportModel(),
        toggleDarkTheme: () => {
          toggleDarkTheme(files.theme, deps.nativeTheme);
          refreshMenu();
        },
        about: () => void showAbout(),
        openDocs: () => void deps.shell.openPath(paths.docs).then((error) => error && deps.log(`Could not open ${paths.docs}: ${error}`)),
      },
    );
    deps.Menu.setApplicationMenu(deps.Menu.buildFromTemplate(template));
  };

  const showAbout = async () => {
    const window = liveWindow();
    if (!window) return;
    await deps.dialog.showMessageBox(window, {
      type: 'info',
      title: `About ${app.getName()}`,
      message: app.getName(),
      detail: aboutDetail({ app: app.getVersion(), ...deps.versions }),
      buttons: ['OK'],
      noLink: true,
    });
  };

  const openWindow = () => {
    const saved = readWindowState(files.windowState);
    const workAreas = [deps.screen.getPrimaryDisplay(), ...deps.screen.getAllDisplays()].map((display) => display.workArea);
    const window = openMainWindow(BrowserWindow, paths, { bounds: restoreBounds(saved, workAreas), maximized: saved?.maximized });
    mainWindow = window;
    project.reset();
    window.webContents.on('did-start-loading', () => {
      // A (re)loading page has no project and does not listen yet.
      outbox.markNotReady();
      project.reset();
    });
    window.on('close', (event) => {
      if (!project.onClose(event)) return;
      try {
        saveWindowState(files.windowState, window);
      } catch (error) {
        deps.log(`Could not save the window state: ${(error as Error).message}`);
      }
    });
    window.on('closed', () => {
      if (mainWindow !== window) return;
      mainWindow = undefined;
      // Commands for the next window (macOS keeps running without one) wait for its page.
      outbox.markNotReady();
    });
  };

  const focusWindow = () => {
    const window = liveWindow();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  };

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, isAppUrl));
  app.on('second-instance', (_event, argv, workingDirectory) => {
    for (const path of projectFilesInArgv(argv, workingDirectory)) project.openPath(path);
    if (liveWindow()) focusWindow();
    else if (isReady) openWindow();
  });
  // macOS: a double-clicked file, possibly before 'ready'; the outbox holds it until the page listens.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    project.openPath(path);
    if (!isReady) return;
    if (liveWindow()) focusWindow();
    else openWindow();
  });
  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!liveWindow() && isReady) openWindow();
  });
  app.on('will-quit', () => void relay.dispose());

  void app.whenReady().then(() => {
    isReady = true;
    const session = deps.session.defaultSession;
    denyAllPermissions(session);
    deps.protocol.handle(APP_SCHEME, appProtocolHandler(paths.rendererDir));
    allowOnlyLocalRequests(session, isAppUrl, !app.isPackaged);
    restoreTheme(files.theme, deps.nativeTheme);
    registerEngineIpc(deps.ipcMain, {
      relay,
      isTrustedSender: isAppUrl,
      broadcast: (channel: string, event: EngineEvent) => liveWindow()?.webContents.send(channel, event),
    });
    registerHostFilesIpc(deps.ipcMain, { isTrustedSender: isAppUrl, files: nodeHostFiles });
    registerShellIpc(deps.ipcMain, {
      isTrustedSender: isAppUrl,
      onReady: () => outbox.markReady(),
      onDocumentState: (state) => project.setState(state),
      onRejected: (why) => deps.log(`Dropped a message: ${why}`),
    });
    relay.onCrash((error) => {
      deps.log(error.message);
      outbox.post({ type: 'engine-crashed', message: error.message });
    });
    refreshMenu();
    for (const path of projectFilesInArgv(deps.argv, deps.cwd)) project.openPath(path);
    openWindow();
  });
}
