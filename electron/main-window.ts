import type { BrowserWindowConstructorOptions } from 'electron';
import type { AppPaths } from './app-paths.js';

/** The parts of a BrowserWindow used here; tests pass a fake. */
export interface WindowLike {
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  loadFile(filePath: string): Promise<void>;
}

export type WindowConstructor<W extends WindowLike> = new (options: BrowserWindowConstructorOptions) => W;

/** Renderer isolation: the page gets no Node, runs sandboxed, and sees only the preload's one object. */
export function mainWindowOptions(paths: Pick<AppPaths, 'preload'>): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
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
      spellcheck: false,
    },
  };
}

/** Opens the main window and shows it once painted, so it never flashes white. */
export function openMainWindow<W extends WindowLike>(
  BrowserWindow: WindowConstructor<W>,
  paths: Pick<AppPaths, 'preload' | 'indexHtml'>,
): W {
  const window = new BrowserWindow(mainWindowOptions(paths));
  window.once('ready-to-show', () => window.show());
  void window.loadFile(paths.indexHtml);
  return window;
}
