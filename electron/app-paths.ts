import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the built app's parts lie, relative to the compiled main process in dist/electron/. */
export interface AppPaths {
  preload: string;
  /** The built renderer, served as app://pruneflow/ (see app-protocol.ts). */
  rendererDir: string;
  engineWorker: URL;
  /** The user guide (README.md), outside app.asar in a package so the OS can open it. */
  docs: string;
}

export function appPaths(electronDir: URL): AppPaths {
  const rendererDir = new URL('../renderer/', electronDir);
  return {
    preload: fileURLToPath(new URL('preload.cjs', electronDir)),
    rendererDir: fileURLToPath(rendererDir),
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
