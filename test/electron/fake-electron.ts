import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions, MessageBoxOptions } from 'electron';
import type { AppLike, AppWindow } from '../../electron/app-main.js';
import type { InvokeEventLike, IpcMainLike } from '../../electron/ipc-bridge.js';
import type { DialogLike } from '../../electron/project-document.js';
import type { SessionLike, WebContentsLike } from '../../electron/security.js';
import type { Rect } from '../../electron/window-state.js';

// Electron stand-ins: just enough behaviour to watch what the app does with them.

export class FakeApp extends EventEmitter implements AppLike {
  quitCalls = 0;
  hasLock = true;
  sandboxEnabled = false;
  readyWhenSandboxed?: boolean;
  isPackaged = true;
  osRecent: string[] = [];
  #resolveReady!: () => void;
  readonly ready = new Promise<void>((resolve) => (this.#resolveReady = resolve));
  constructor(readonly userData: string) {
    super();
  }
  fireReady(): Promise<void> {
    this.#resolveReady();
    return this.ready.then(() => new Promise((resolve) => setTimeout(resolve, 0)));
  }
  whenReady = () => this.ready;
  requestSingleInstanceLock = () => this.hasLock;
  enableSandbox = () => void (this.sandboxEnabled = true);
  quit = () => void this.quitCalls++;
  getName = () => 'Pruneflow';
  getVersion = () => '0.1.0';
  getPath = () => this.userData;
  addRecentDocument = (path: string) => void this.osRecent.push(path);
  clearRecentDocuments = () => void (this.osRecent = []);
}

export class FakeWebContents extends EventEmitter implements WebContentsLike {
  openHandler?: (details: { url: string }) => { action: 'deny' };
  sent: [string, unknown][] = [];
  send(channel: string, message: unknown) {
    this.sent.push([channel, message]);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
    this.openHandler = handler;
  }
}

export class FakeWindow extends EventEmitter implements AppWindow {
  static all: FakeWindow[] = [];
  static getAllWindows = () => FakeWindow.all;
  shown = false;
  maximized = false;
  destroyed = false;
  loaded?: string;
  focused = false;
  bounds: Rect;
  webContents = new FakeWebContents();
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    this.bounds = { x: options.x ?? 50, y: options.y ?? 50, width: options.width ?? 0, height: options.height ?? 0 };
    FakeWindow.all.push(this);
  }
  show = () => void (this.shown = true);
  maximize = () => void (this.shown = this.maximized = true);
  /** Loading starts after loadURL returns, as in Electron. */
  loadURL = async (url: string) => {
    this.loaded = url;
    await Promise.resolve();
    this.webContents.emit('did-start-loading');
  };
  isDestroyed = () => this.destroyed;
  isMinimized = () => false;
  isMaximized = () => this.maximized;
  getNormalBounds = () => this.bounds;
  restore = () => {};
  focus = () => void (this.focused = true);
  /** Like Electron: 'close' may be prevented; otherwise the window is destroyed and 'closed' follows. */
  close = () => {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.destroyed = true;
    this.emit('closed');
  };
  /** Messages for the app command channel. */
  commands(channel: string): unknown[] {
    return this.webContents.sent.filter(([name]) => name === channel).map(([, message]) => message);
  }
}

type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  readonly listeners = new Map<string, Listener>();
  handle(channel: string, listener: Listener) {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: Listener) {
    this.listeners.set(channel, listener);
  }
  removeAllListeners(channel: string) {
    this.listeners.delete(channel);
  }
  /** A renderer's ipcRenderer.send from a frame at `url`. */
  send(url: string | null, channel: string, ...args: unknown[]) {
    this.listeners.get(channel)?.({ senderFrame: url === null ? null : { url } }, ...args);
  }
}

export class FakeSession implements SessionLike {
  request?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
  check?: () => boolean;
  beforeRequest?: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void;
  setPermissionRequestHandler(handler: NonNullable<FakeSession['request']>) {
    this.request = handler;
  }
  setPermissionCheckHandler(handler: () => boolean) {
    this.check = handler;
  }
  webRequest = { onBeforeRequest: (listener: NonNullable<FakeSession['beforeRequest']>) => void (this.beforeRequest = listener) };
  /** Whether a request for this URL would go out. */
  allows(url: string): boolean {
    let cancel = true;
    this.beforeRequest!({ url }, (response) => (cancel = response.cancel));
    return !cancel;
  }
}

/** Answers dialogs as a user would; each answer is used once, in order. */
export class FakeDialog implements DialogLike<FakeWindow> {
  messageBoxes: MessageBoxOptions[] = [];
  answers: { messageBox: number[]; save: (string | undefined)[]; open: (string | undefined)[] } = { messageBox: [], save: [], open: [] };
  async showMessageBox(_window: FakeWindow, options: MessageBoxOptions) {
    this.messageBoxes.push(options);
    return { response: this.answers.messageBox.shift() ?? 0 };
  }
  async showSaveDialog() {
    const filePath = this.answers.save.shift();
    return { canceled: filePath === undefined, filePath };
  }
  async showOpenDialog() {
    const path = this.answers.open.shift();
    return { canceled: path === undefined, filePaths: path === undefined ? [] : [path] };
  }
}

/** A built menu is its template here. */
export class FakeMenu {
  static current?: MenuItemConstructorOptions[];
  static buildFromTemplate = (template: MenuItemConstructorOptions[]) => template as never;
  static setApplicationMenu = (menu: unknown) => void (FakeMenu.current = menu as MenuItemConstructorOptions[]);
}

/** Finds a menu item by its labels (without '&' mnemonics), e.g. ['File', 'Open…']. */
export function menuItem(template: MenuItemConstructorOptions[], labels: string[]): MenuItemConstructorOptions {
  let items = template;
  let found: MenuItemConstructorOptions | undefined;
  for (const label of labels) {
    found = items.find((item) => (item.label ?? '').replaceAll('&', '') === label);
    if (!found) throw new Error(`No menu item '${label}' in ${items.map((item) => item.label ?? item.role).join(', ')}`);
    items = (found.submenu as MenuItemConstructorOptions[] | undefined) ?? [];
  }
  return found!;
}

export function click(item: MenuItemConstructorOptions): void {
  (item.click as () => void)();
}

export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
