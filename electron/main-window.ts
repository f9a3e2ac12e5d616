import type { BrowserWindowConstructorOptions } from 'electron';
import { APP_INDEX_URL } from './app-protocol.js';
import type { AppPaths } from './app-paths.js';
import { DEFAULT_WINDOW_SIZE, MIN_WINDOW_SIZE, type Rect } from './window-state.js';

/** The parts of a BrowserWindow used here; tests pass a fake. */
export interface WindowLike {
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  /** Also shows the window. */
  maximize(): void;
  loadURL(url: string): Promise<void>;
}

export type WindowConstructor<W extends WindowLike> = new (options: BrowserWindowConstructorOptions) => W;

/** Renderer isolation: the page gets no Node, runs sandboxed, and sees only the preload's one object. */
export function mainWindowOptions(paths: Pick<AppPaths, 'preload'>, bounds: Partial<Rect> = DEFAULT_WINDOW_SIZE): BrowserWindowConstructorOptions {
  return {
    ...DEFAULT_WINDOW_SIZE,
    ...bounds,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'Pruneflow',
    show: false,
    backgroundColor: '#f4f5f8',
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

/** Opens the main window and shows it once painted (so it never flashes white), maximised if it was. */
export function openMainWindow<W extends WindowLike>(
  BrowserWindow: WindowConstructor<W>,
  paths: Pick<AppPaths, 'preload'>,
  placement: { bounds?: Partial<Rect>; maximized?: boolean } = {},
): W {
  const window = new BrowserWindow(mainWindowOptions(paths, placement.bounds));
  window.once('ready-to-show', () => (placement.maximized ? window.maximize() : window.show()));
  void window.loadURL(APP_INDEX_URL);
  return window;
}
