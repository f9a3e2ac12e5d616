/** Electron's entry point: the only file that imports Electron's runtime; all logic is in testable modules. */
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { Worker } from 'node:worker_threads';
import { startApp } from './app-main.js';
import { appPaths } from './app-paths.js';

const paths = appPaths(new URL('.', import.meta.url));

startApp({
  app,
  BrowserWindow,
  ipcMain,
  session,
  paths,
  spawnEngine: () => new Worker(paths.engineWorker, { name: 'pruneflow-engine' }),
  platform: process.platform,
});
