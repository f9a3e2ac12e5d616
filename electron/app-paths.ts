import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where the built app's parts lie, relative to the compiled main process in dist/electron/. */
export interface AppPaths {
  preload: string;
  indexHtml: string;
  /** file:// prefix of the renderer's pages: the only senders whose IPC is trusted. */
  rendererUrlPrefix: string;
  engineWorker: URL;
  /** The user guide (README.md), outside app.asar in a package so the OS can open it. */
  docs: string;
}

export function appPaths(electronDir: URL): AppPaths {
  const rendererDir = new URL('../renderer/', electronDir);
  return {
    preload: fileURLToPath(new URL('preload.cjs', electronDir)),
    indexHtml: fileURLToPath(new URL('index.html', rendererDir)),
    rendererUrlPrefix: pathToFileURL(fileURLToPath(rendererDir)).href,
    engineWorker: new URL('engine-worker.js', electronDir),
    docs: fileURLToPath(new URL('../../README.md', electronDir)).replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2'),
  };
}

/** The shell's small state files, in the user-data folder (where settings.json lives too). */
export interface StateFiles {
  windowState: string;
  recentFiles: string;
  theme: string;
}

export function stateFiles(userData: string): StateFiles {
  return {
    windowState: join(userData, 'window-state.json'),
    recentFiles: join(userData, 'recent-files.json'),
    theme: join(userData, 'theme.json'),
  };
}
