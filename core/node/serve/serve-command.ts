import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { relayEndpoint } from '../engine-thread/engine-endpoint.js';
import { createWorkerRelay } from '../engine-thread/worker-relay.js';
import { readSettings } from '../settings.js';
import { openBrowser } from './open-browser.js';
import { isLoopback } from './request-checks.js';
import { startServer } from './server.js';

export const DEFAULT_HOST = '127.0.0.1';
/** Tried first when no --port is given; if it is taken, any free port will do. */
export const DEFAULT_PORT = 8321;

/** The built renderer, beside the compiled engine in dist/ (this file is dist/core/node/serve/). */
const RENDERER_ROOT = fileURLToPath(new URL('../../../renderer', import.meta.url));

const ENGINE_WORKER = new URL('./engine-worker.js', import.meta.url);

export class RendererNotBuiltError extends Error {
  override name = 'RendererNotBuiltError';
}

export interface ServeFlags {
  port?: number;
  host?: string;
  open: boolean;
  backend?: string;
}

/** `pruneflow serve`: the app in a browser, served until Ctrl-C. */
export async function serve(flags: ServeFlags): Promise<void> {
  if (!existsSync(`${RENDERER_ROOT}/index.html`)) {
    throw new RendererNotBuiltError(`The user interface is not built (no ${RENDERER_ROOT}/index.html): run \`npm run build:renderer\` first.`);
  }
  const host = flags.host ?? DEFAULT_HOST;
  // A broken settings file stops here, with its message, rather than in the engine's thread.
  await readSettings();
  // The engine runs in a worker thread (started on the first call, restarted after a crash), so that
  // training never holds up the server's replies and a crash of the engine leaves the server up.
  const relay = createWorkerRelay(() => new Worker(ENGINE_WORKER, { name: 'pruneflow-engine', workerData: { backend: flags.backend } }));
  relay.onCrash((error) => console.error(error.message));
  const engine = relayEndpoint(relay);
  const start = (port: number) => startServer({ engine, root: RENDERER_ROOT, host, port });
  const server = await start(flags.port ?? DEFAULT_PORT).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE' && flags.port === undefined) return start(0);
    throw error.code === 'EADDRINUSE' ? new Error(`Port ${flags.port} is in use: choose another with --port, or --port 0 for any free one.`) : error;
  });

  // Before the link is out: whoever reads it may press Ctrl-C at once.
  stopOnSignal(() => Promise.all([server.close(), relay.dispose()]));
  console.log(
    `Pruneflow is running at:\n\n  ${server.url}\n\nThe link holds a secret token: whoever has it can use this engine, ` +
      `read files on this computer and write Pruneflow's own files (projects, models, reports). Press Ctrl-C to stop.`,
  );
  if (!isLoopback(host)) {
    console.error(
      `Warning: listening on ${host}, not only on this computer. Anyone on your network ` +
        `who gets the link can run tasks, read files here and write Pruneflow's own files.`,
    );
  }
  if (flags.open) openBrowser(server.url, (reason) => console.error(`Could not open a browser (${reason}); open the link above.`));
}

function stopOnSignal(close: () => Promise<unknown>): void {
  let stopping = false;
  const stop = () => {
    // A second Ctrl-C while closing quits at once.
    if (stopping) process.exit(130);
    stopping = true;
    console.error('\nStopping Pruneflow...');
    // The engine thread may still be inside a step: exit once the server is closed rather than wait for it.
    void close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
