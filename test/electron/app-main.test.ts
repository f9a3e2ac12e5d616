import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppDeps, startApp } from '../../electron/app-main.js';
import { appPaths } from '../../electron/app-paths.js';
import { APP_INDEX_URL } from '../../electron/app-protocol.js';
import {
  APP_COMMAND_CHANNEL,
  DOCUMENT_STATE_CHANNEL,
  ENGINE_CALL_CHANNEL,
  ENGINE_EVENT_CHANNEL,
  HOST_FILES_CHANNEL,
  SHELL_READY_CHANNEL,
} from '../../electron/ipc-channels.js';
import type { NativeThemeLike } from '../../electron/theme.js';
import type { WorkerLike } from '../../core/node/engine-thread/worker-relay.js';
import { click, FakeApp, FakeDialog, FakeIpcMain, FakeMenu, FakeSession, FakeWebContents, FakeWindow, menuItem, settle } from './fake-electron.js';

const APP = '/opt/pruneflow/resources/app.asar/dist';
const PAGE = APP_INDEX_URL;
const SCREEN = { x: 0, y: 0, width: 1920, height: 1080 };
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

interface LaunchOptions {
  hasLock?: boolean;
  platform?: NodeJS.Platform;
  argv?: string[];
  userData?: string;
  isPackaged?: boolean;
  spawnEngine?: () => WorkerLike;
}

function launch(options: LaunchOptions = {}) {
  FakeWindow.all = [];
  const userData = options.userData ?? mkdtempSync(join(tmpdir(), 'pruneflow-shell-'));
  folders.push(userData);
  const app = new FakeApp(userData);
  app.hasLock = options.hasLock ?? true;
  app.isPackaged = options.isPackaged ?? true;
  app.on('newListener', () => void (app.readyWhenSandboxed ??= app.sandboxEnabled));
  const ipcMain = new FakeIpcMain();
  const session = new FakeSession();
  const dialog = new FakeDialog();
  const nativeTheme: NativeThemeLike = { themeSource: 'system', shouldUseDarkColors: false };
  Object.defineProperty(nativeTheme, 'shouldUseDarkColors', { get: () => nativeTheme.themeSource === 'dark' });
  const spawns: string[] = [];
  const opened: string[] = [];
  const protocols = new Map<string, (request: Request) => Promise<Response>>();
  const deps: AppDeps<FakeWindow> = {
    app,
    BrowserWindow: FakeWindow,
    ipcMain,
    session: { defaultSession: session },
    protocol: { handle: (scheme, handler) => void protocols.set(scheme, handler) },
    dialog,
    Menu: FakeMenu,
    nativeTheme,
    screen: { getAllDisplays: () => [{ workArea: SCREEN }], getPrimaryDisplay: () => ({ workArea: SCREEN }) },
    shell: {
      openPath: async (path) => {
        opened.push(path);
        return '';
      },
    },
    paths: appPaths(new URL(`file://${APP}/electron/`)),
    // Reaching the engine is all most tests need to see; a failing start is reported like any error.
    spawnEngine:
      options.spawnEngine ??
      ((): WorkerLike => {
        spawns.push('engine');
        throw new Error('no engine in this test');
      }),
    platform: options.platform ?? 'linux',
    argv: options.argv ?? ['/opt/pruneflow/pruneflow'],
    cwd: '/home/user',
    versions: { electron: '45.5.0', chromium: '140.0.1', node: '22.1.0', tfjs: '4.22.0' },
    log: () => {},
  };
  startApp(deps);
  const window = () => FakeWindow.all.at(-1)!;
  /** The page has loaded and subscribed to app commands. */
  const pageListens = async () => {
    await settle();
    ipcMain.send(PAGE, SHELL_READY_CHANNEL);
  };
  return { app, ipcMain, session, dialog, nativeTheme, spawns, opened, protocols, userData, window, pageListens, ready: () => app.fireReady() };
}

describe('startApp', () => {
  it('opens one hardened window once ready, with the engine behind IPC', async () => {
    const { ipcMain, session, ready, app } = launch();
    expect(FakeWindow.all).toHaveLength(0);
    await ready();
    expect(app.readyWhenSandboxed).toBe(true);
    expect(FakeWindow.all).toHaveLength(1);
    const [window] = FakeWindow.all;
    expect(window!.options.webPreferences).toMatchObject({
      preload: `${APP}/electron/preload.cjs`,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(window!.loaded).toBe('app://pruneflow/index.html');
    expect(window!.shown).toBe(false);
    window!.emit('ready-to-show');
    expect(window!.shown).toBe(true);
    expect([...ipcMain.handlers.keys()]).toEqual([ENGINE_CALL_CHANNEL, HOST_FILES_CHANNEL]);
    const answers: boolean[] = [];
    session.request!(undefined, 'media', (granted: boolean) => answers.push(granted));
    expect(answers).toEqual([false]);
    expect(session.check!()).toBe(false);
  });

  it('blocks navigation out of the app, new windows and webviews in every page', () => {
    const { app } = launch();
    const contents = new FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    const prevents = (name: string, url: string) => {
      let prevented = false;
      contents.emit(name, { url, isMainFrame: true, preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      expect(prevents(name, 'https://example.com/'), name).toBe(true);
      expect(prevents(name, `file://${APP}/renderer/index.html`), name).toBe(true);
    }
    // The Engine panel switches engine by loading the app's page with other parameters.
    const inPage = `${PAGE}?engine=page&backend=webgpu`;
    expect(prevents('will-frame-navigate', inPage)).toBe(false);
    expect(prevents('will-navigate', inPage)).toBe(false);
    expect(contents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('loads nothing but its own files', async () => {
    const packaged = launch();
    await packaged.ready();
    expect([...packaged.protocols.keys()]).toEqual(['app']);
    expect(packaged.session.allows('app://pruneflow/assets/index-1.js')).toBe(true);
    expect(packaged.session.allows('data:image/png;base64,AAAA')).toBe(true);
    const refused = [
      'https://example.com/x.js',
      'http://127.0.0.1:8080/',
      'file:///etc/passwd',
      `file://${APP}/renderer/index.html`,
      'app://other/index.html',
      'devtools://devtools/',
    ];
    for (const url of refused) {
      expect(packaged.session.allows(url), url).toBe(false);
    }
    const source = launch({ isPackaged: false });
    await source.ready();
    expect(source.session.allows('devtools://devtools/bundled/inspector.html')).toBe(true);
    expect(source.session.allows('https://example.com/')).toBe(false);
  });

  it('trusts IPC only from its own renderer pages, and starts the engine on first use', async () => {
    const { ipcMain, spawns, ready } = launch();
    await ready();
    expect(spawns).toEqual([]);
    const handler = ipcMain.handlers.get(ENGINE_CALL_CHANNEL)!;
    const call = { method: 'getInfo', args: [] };
    for (const url of ['file:///opt/other/index.html', `file://${APP}/renderer/index.html`, 'app://other/index.html']) {
      const foreign = await handler({ senderFrame: { url } }, call);
      expect(foreign, url).toMatchObject({ ok: false, error: { name: 'UntrustedSenderError' } });
    }
    expect(spawns).toEqual([]);
    const own = await handler({ senderFrame: { url: PAGE } }, call);
    expect(own).toEqual({ ok: false, error: { name: 'Error', message: 'no engine in this test' } });
    expect(spawns).toEqual(['engine']);
  });

  it('quits when another instance already runs', () => {
    const { app } = launch({ hasLock: false });
    expect(app.quitCalls).toBe(1);
    expect(app.listenerCount('window-all-closed')).toBe(0);
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
    const { app, ready, window } = launch({ platform: 'darwin' });
    await ready();
    window().close();
    app.emit('activate');
    expect(FakeWindow.all).toHaveLength(2);
  });
});

describe('window state', () => {
  it('remembers size, place and maximised state, written atomically under userData', async () => {
    const first = launch();
    await first.ready();
    first.window().bounds = { x: 200, y: 100, width: 900, height: 700 };
    first.window().maximized = true;
    first.window().close();
    const file = join(first.userData, 'window-state.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 200, y: 100, width: 900, height: 700, maximized: true });
    folders.splice(folders.indexOf(first.userData), 1);

    const second = launch({ userData: first.userData });
    await second.ready();
    expect(second.window().options).toMatchObject({ x: 200, y: 100, width: 900, height: 700 });
    second.window().emit('ready-to-show');
    expect(second.window().maximized).toBe(true);
  });

  it('keeps only the size of a window saved on a display that is gone', async () => {
    const userData = mkdtempSync(join(tmpdir(), 'pruneflow-shell-'));
    writeFileSync(join(userData, 'window-state.json'), JSON.stringify({ x: 2500, y: 100, width: 900, height: 700, maximized: false }));
    const { ready, window } = launch({ userData });
    await ready();
    expect(window().options).toMatchObject({ width: 900, height: 700 });
    expect(window().options.x).toBeUndefined();
    window().emit('ready-to-show');
    expect(window().maximized).toBe(false);
  });
});

describe('menus and app commands', () => {
  it('has the File, Edit, View and Help menus with their shortcuts', async () => {
    const { ready } = launch();
    await ready();
    const menu = FakeMenu.current!;
    expect(menu.map((item) => item.label?.replaceAll('&', ''))).toEqual(['File', 'Edit', 'View', 'Help']);
    const accelerators = Object.fromEntries(
      ['New Project', 'Open…', 'Save', 'Save As…', 'Close Window'].map((label) => [label, menuItem(menu, ['File', label]).accelerator]),
    );
    expect(accelerators).toEqual({
      'New Project': 'CmdOrCtrl+N',
      'Open…': 'CmdOrCtrl+O',
      Save: 'CmdOrCtrl+S',
      'Save As…': 'CmdOrCtrl+Shift+S',
      'Close Window': 'CmdOrCtrl+W',
    });
  });

  it('sends menu commands to the page only once it listens, in order', async () => {
    const { ready, window, pageListens, dialog, app } = launch();
    await ready();
    click(menuItem(FakeMenu.current!, ['File', 'New Project']));
    dialog.answers.open.push('/home/user/a.pruneflow');
    click(menuItem(FakeMenu.current!, ['File', 'Open…']));
    await settle();
    expect(window().commands(APP_COMMAND_CHANNEL)).toEqual([]);
    await pageListens();
    expect(window().commands(APP_COMMAND_CHANNEL)).toEqual([{ type: 'new-project' }, { type: 'open-project', path: '/home/user/a.pruneflow' }]);
    // Linux has no OS-wide recent documents list.
    expect(app.osRecent).toEqual([]);
  });

  it('lists opened files under Open Recent, newest first, kept across runs and given to the OS', async () => {
    const first = launch({ platform: 'win32' });
    await first.ready();
    expect(menuItem(FakeMenu.current!, ['File', 'Open Recent', 'No Recent Projects']).enabled).toBe(false);
    await first.pageListens();
    for (const name of ['a', 'b', 'a']) {
      first.dialog.answers.open.push(`/p/${name}.pruneflow`);
      click(menuItem(FakeMenu.current!, ['File', 'Open…']));
      await settle();
    }
    expect(first.app.osRecent).toEqual(['/p/a.pruneflow', '/p/b.pruneflow', '/p/a.pruneflow']);
    folders.splice(folders.indexOf(first.userData), 1);

    const second = launch({ userData: first.userData });
    await second.ready();
    await second.pageListens();
    const recent = menuItem(FakeMenu.current!, ['File', 'Open Recent']).submenu as { label?: string; toolTip?: string }[];
    expect(recent.map((item) => item.toolTip).filter(Boolean)).toEqual(['/p/a.pruneflow', '/p/b.pruneflow']);
    click(menuItem(FakeMenu.current!, ['File', 'Open Recent', '2 b.pruneflow']));
    expect(second.window().commands(APP_COMMAND_CHANNEL)).toEqual([{ type: 'open-project', path: '/p/b.pruneflow' }]);
    click(menuItem(FakeMenu.current!, ['File', 'Open Recent', 'Clear Recently Opened']));
    expect(menuItem(FakeMenu.current!, ['File', 'Open Recent', 'No Recent Projects'])).toBeTruthy();
  });

  it('lists a project opened or saved in the page itself (its reported path) under Open Recent and in the OS list', async () => {
    const { ready, pageListens, ipcMain, app } = launch({ platform: 'darwin' });
    await ready();
    await pageListens();
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: false, path: '/Users/u/start-screen.pruneflow' });
    // The same path reported again (after each change) is not a new entry.
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: true, path: '/Users/u/start-screen.pruneflow', work: 'running-session' });
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: false, path: '/Users/u/saved-as.pruneflow' });
    expect(app.osRecent).toEqual(['/Users/u/start-screen.pruneflow', '/Users/u/saved-as.pruneflow']);
    const recent = menuItem(FakeMenu.current!, ['File', 'Open Recent']).submenu as { toolTip?: string }[];
    expect(recent.map((item) => item.toolTip).filter(Boolean)).toEqual(['/Users/u/saved-as.pruneflow', '/Users/u/start-screen.pruneflow']);
  });

  it('File > Export takes the page to its export form, without a dialog of its own', async () => {
    const { ready, pageListens, window, dialog } = launch();
    await ready();
    await pageListens();
    click(menuItem(FakeMenu.current!, ['File', 'Export Pruned Model…']));
    await settle();
    expect(window().commands(APP_COMMAND_CHANNEL)).toEqual([{ type: 'export-model' }]);
    expect(dialog.messageBoxes).toEqual([]);
  });

  it('offers Reload and the developer tools only when run from source', async () => {
    const packaged = launch({ isPackaged: true });
    await packaged.ready();
    const roles = (menu = FakeMenu.current!) => (menuItem(menu, ['View']).submenu as { role?: string }[]).map((item) => item.role);
    expect(roles()).not.toContain('reload');
    expect(roles()).not.toContain('toggleDevTools');
    expect(roles()).toEqual(expect.arrayContaining(['zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen']));
    const source = launch({ isPackaged: false });
    await source.ready();
    expect(roles()).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('toggles the dark theme and remembers it', async () => {
    const first = launch();
    await first.ready();
    expect(menuItem(FakeMenu.current!, ['View', 'Dark Theme']).checked).toBe(false);
    click(menuItem(FakeMenu.current!, ['View', 'Dark Theme']));
    expect(first.nativeTheme.themeSource).toBe('dark');
    expect(menuItem(FakeMenu.current!, ['View', 'Dark Theme']).checked).toBe(true);
    folders.splice(folders.indexOf(first.userData), 1);
    const second = launch({ userData: first.userData });
    await second.ready();
    expect(second.nativeTheme.themeSource).toBe('dark');
  });

  it('shows the versions in About and opens the user guide from Help', async () => {
    const { ready, dialog, opened } = launch();
    await ready();
    click(menuItem(FakeMenu.current!, ['Help', 'About Pruneflow']));
    await settle();
    expect(dialog.messageBoxes[0]!.detail).toBe('Version 0.1.0\n\nElectron 45.5.0\nChromium 140.0.1\nNode.js 22.1.0\nTensorFlow.js 4.22.0');
    click(menuItem(FakeMenu.current!, ['Help', 'Pruneflow Documentation']));
    await settle();
    expect(opened).toEqual(['/opt/pruneflow/resources/app.asar.unpacked/README.md']);
  });
});

describe('opening project files from the OS', () => {
  it('opens a file named on the command line once the page listens', async () => {
    const { ready, window, pageListens } = launch({ argv: ['/opt/pruneflow/pruneflow', '--no-sandbox', 'models/x.pruneflow'] });
    await ready();
    expect(window().commands(APP_COMMAND_CHANNEL)).toEqual([]);
    await pageListens();
    expect(window().commands(APP_COMMAND_CHANNEL)).toEqual([{ type: 'open-project', path: '/home/user/models/x.pruneflow' }]);
  });

  it("opens a second launch's file in the running window and focuses it", async () => {
    const { app, ready, window, pageListens } = launch();
    await ready();
    await pageListens();
    app.emit('second-instance', {}, ['/opt/pruneflow/pruneflow', '--allow-file-access-from-files', 'y.pruneflow'], '/tmp/work');
    expect(window().commands(APP_COMMAND_CHANNEL)).toEqual([{ type: 'open-project', path: '/tmp/work/y.pruneflow' }]);
    expect(window().focused).toBe(true);
    expect(FakeWindow.all).toHaveLength(1);
  });

  it('opens a window for a second launch when the last one was closed (macOS)', async () => {
    const { app, ready, window, pageListens } = launch({ platform: 'darwin' });
    await ready();
    await pageListens();
    window().close();
    app.emit('second-instance', {}, ['/Applications/Pruneflow.app/Contents/MacOS/Pruneflow', '/Users/u/w.pruneflow'], '/');
    expect(FakeWindow.all).toHaveLength(2);
    await pageListens();
    expect(window().commands(APP_COMMAND_CHANNEL)).toEqual([{ type: 'open-project', path: '/Users/u/w.pruneflow' }]);
  });

  it("queues macOS 'open-file' from before the window exists", async () => {
    const { app, ready, window, pageListens } = launch({ platform: 'darwin' });
    let prevented = false;
    app.emit('open-file', { preventDefault: () => (prevented = true) }, '/Users/u/z.pruneflow');
    expect(prevented).toBe(true);
    await ready();
    await settle();
    expect(window().commands(APP_COMMAND_CHANNEL)).toEqual([]);
    await pageListens();
    expect(window().commands(APP_COMMAND_CHANNEL)).toEqual([{ type: 'open-project', path: '/Users/u/z.pruneflow' }]);
  });
});

describe('unsaved changes', () => {
  async function openWindow(path: string | null = '/home/user/p.pruneflow') {
    const launched = launch();
    await launched.ready();
    await launched.pageListens();
    launched.ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: false, path });
    return launched;
  }

  it('offers Save and Save As only while the page has a project open', async () => {
    const { ipcMain, ready } = launch();
    await ready();
    const enabled = () => ['Save', 'Save As…'].map((label) => menuItem(FakeMenu.current!, ['File', label]).enabled);
    expect(enabled()).toEqual([false, false]);
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: false, path: '/home/user/p.pruneflow' });
    expect(enabled()).toEqual([true, true]);
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: false, path: null });
    expect(enabled()).toEqual([false, false]);
  });

  it('greys Save and Save As out again when the page reloads (a new page has no project)', async () => {
    const { ipcMain, ready, window } = launch();
    await ready();
    const enabled = () => ['Save', 'Save As…'].map((label) => menuItem(FakeMenu.current!, ['File', label]).enabled);
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: false, path: '/home/user/p.pruneflow' });
    expect(enabled()).toEqual([true, true]);
    window().webContents.emit('did-start-loading');
    expect(enabled()).toEqual([false, false]);
  });

  it('closes at once without unsaved changes', async () => {
    const { window, dialog, ready } = launch();
    await ready();
    window().close();
    expect(window().destroyed).toBe(true);
    expect(dialog.messageBoxes).toEqual([]);
  });

  it('closes at once with a project open and no work at stake (projects save themselves)', async () => {
    const { window, dialog } = await openWindow();
    window().close();
    expect(window().destroyed).toBe(true);
    expect(dialog.messageBoxes).toEqual([]);
  });

  it('says a running pruning run stops and can be resumed, and stays open unless told to close', async () => {
    const { window, dialog, ipcMain, ready, pageListens } = launch();
    await ready();
    await pageListens();
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: true, path: '/home/user/p.pruneflow', work: 'running-session' });
    dialog.answers.messageBox.push(1, 0);
    window().close();
    await settle();
    expect(dialog.messageBoxes[0]).toMatchObject({
      message: 'A pruning run is in progress.',
      detail: 'Closing stops it; you can resume it later from its last checkpoint.',
      buttons: ['Close', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
    });
    expect(window().destroyed).toBe(false);
    window().close();
    await settle();
    expect(window().destroyed).toBe(true);
    // Closing a run never asks the page to save: the session saved itself at its last checkpoint.
    expect(window().commands(APP_COMMAND_CHANNEL)).toEqual([]);
  });

  it('names a paused run and a result kept in no project in the prompt', async () => {
    const { window, dialog, ipcMain, ready, pageListens } = launch();
    await ready();
    await pageListens();
    dialog.answers.messageBox.push(1, 1);
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: true, path: null, work: 'paused-session' });
    window().close();
    await settle();
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: true, path: null, work: 'unsaved-result' });
    window().close();
    await settle();
    expect(dialog.messageBoxes.map((box) => box.message)).toEqual(['A pruning run is paused.', "The last run's result is not in a project."]);
    expect(window().destroyed).toBe(false);
  });

  it('closes at once once the run has ended', async () => {
    const { window, dialog, ipcMain, ready, pageListens } = launch();
    await ready();
    await pageListens();
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: true, path: '/home/user/p.pruneflow', work: 'running-session' });
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: false, path: '/home/user/p.pruneflow' });
    window().close();
    expect(window().destroyed).toBe(true);
    expect(dialog.messageBoxes).toEqual([]);
  });

  it('ignores document state from foreign frames and malformed state', async () => {
    const { window, dialog, ipcMain } = await openWindow();
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: true, path: null, work: 'running-task' });
    ipcMain.send('https://example.com/', DOCUMENT_STATE_CHANNEL, { dirty: false, path: null });
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: 'no', path: null });
    ipcMain.send(PAGE, DOCUMENT_STATE_CHANNEL, { dirty: false, path: null }, 'extra');
    dialog.answers.messageBox.push(1);
    window().close();
    await settle();
    expect(dialog.messageBoxes).toHaveLength(1);
  });
});

// A real engine thread that dies the way an engine can (process.exit in native code, an abort): it starts a
// task, and exits with code 7 on the next call.
const DYING_ENGINE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, call }) => {
  if (call.method !== 'startDemo') process.exit(7);
  parentPort.postMessage({ type: 'reply', id, reply: { ok: true, value: { taskId: 'task-1' } } });
});
`;

describe('the engine thread dies', () => {
  it('fails the running task in the window, answers the call in flight and tells the page; the next call starts a fresh engine', async () => {
    const threads: Worker[] = [];
    const { ipcMain, ready, window, pageListens } = launch({
      spawnEngine: () => {
        const thread = new Worker(DYING_ENGINE, { eval: true });
        threads.push(thread);
        return thread;
      },
    });
    await ready();
    await pageListens();
    const call = (method: string, ...args: unknown[]) => ipcMain.handlers.get(ENGINE_CALL_CHANNEL)!({ senderFrame: { url: PAGE } }, { method, args });
    try {
      expect(await call('startDemo', {})).toEqual({ ok: true, value: { taskId: 'task-1' } });
      expect(await call('pauseTask', 'task-1')).toMatchObject({
        ok: false,
        error: { name: 'EngineCrashedError', message: expect.stringContaining('exit code 7') },
      });
      const sent = window().webContents.sent;
      expect(sent).toContainEqual([
        ENGINE_EVENT_CHANNEL,
        { type: 'task-failed', taskId: 'task-1', error: { name: 'EngineCrashedError', message: expect.stringContaining('exit code 7') } },
      ]);
      expect(sent).toContainEqual([APP_COMMAND_CHANNEL, { type: 'engine-crashed', message: expect.stringContaining('exit code 7') }]);
      expect(await call('startDemo', {})).toEqual({ ok: true, value: { taskId: 'task-1' } });
      expect(threads).toHaveLength(2);
    } finally {
      await Promise.all(threads.map((thread) => thread.terminate()));
    }
  });
});
