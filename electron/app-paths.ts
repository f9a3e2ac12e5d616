import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where the built app's parts lie, relative to the compiled main process in dist/electron/. */
export interface AppPaths {
  preload: string;
  indexHtml: string;
  /** file:// prefix of the renderer's pages: the only senders whose IPC is trusted. */
  rendererUrlPrefix: string;
  engineWorker: URL;
}

export function appPaths(electronDir: URL): AppPaths {
  const rendererDir = new URL('../renderer/', electronDir);
  return {
    preload: fileURLToPath(new URL('preload.cjs', electronDir)),
    indexHtml: fileURLToPath(new URL('index.html', rendererDir)),
    rendererUrlPrefix: pathToFileURL(fileURLToPath(rendererDir)).href,
    engineWorker: new URL('engine-worker.js', electronDir),
  };
}
