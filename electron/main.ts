/** Electron's entry point: the only file that imports Electron's runtime; all logic is in testable modules. */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, protocol, screen, session, shell } from 'electron';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { startApp } from './app-main.js';
import { appPaths } from './app-paths.js';
import { APP_SCHEME_PRIVILEGES } from './app-protocol.js';

const paths = appPaths(new URL('.', import.meta.url));
const { version: tfjs } = createRequire(import.meta.url)('@tensorflow/tfjs-core/package.json') as { version: string };

// Must happen before 'ready': app:// is then a secure origin with fetch, like https.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

startApp({
  app,
  BrowserWindow,
  ipcMain,
  session,
  protocol,
  dialog,
  Menu,
  nativeTheme,
  // `screen` may only be used after 'ready'; startApp reads it when it opens a window.
  screen: { getAllDisplays: () => screen.getAllDisplays(), getPrimaryDisplay: () => screen.getPrimaryDisplay() },
  shell,
  paths,
  spawnEngine: () => new Worker(paths.engineWorker, { name: 'pruneflow-engine' }),
  platform: process.platform,
  argv: process.argv,
  cwd: process.cwd(),
  versions: { electron: process.versions.electron, chromium: process.versions.chrome, node: process.versions.node, tfjs },
  log: (message) => console.error(`[pruneflow] ${message}`),
});
