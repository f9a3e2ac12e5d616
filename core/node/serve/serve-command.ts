import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createNodeEngine } from '../node-engine.js';
import { openBrowser } from './open-browser.js';
import { isLoopback } from './request-checks.js';
import { type RunningServer, startServer } from './server.js';

export const DEFAULT_HOST = '127.0.0.1';
/** Tried first when no --port is given; if it is taken, any free port will do. */
export const DEFAULT_PORT = 8321;

/** The built renderer, beside the compiled engine in dist/ (this file is dist/core/node/serve/). */
const RENDERER_ROOT = fileURLToPath(new URL('../../../renderer', import.meta.url));

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
  const engine = await createNodeEngine('browser', { backendFlag: flags.backend });
  const start = (port: number) => startServer({ engine, root: RENDERER_ROOT, host, port });
  const server = await start(flags.port ?? DEFAULT_PORT).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE' && flags.port === undefined) return start(0);
    throw error.code === 'EADDRINUSE' ? new Error(`Port ${flags.port} is in use: choose another with --port, or --port 0 for any free one.`) : error;
  });

  // Before the link is out: whoever reads it may press Ctrl-C at once.
  stopOnSignal(server);
  console.log(`Pruneflow is running at:\n\n  ${server.url}\n\nThe link holds a secret token: whoever has it can use this engine. Press Ctrl-C to stop.`);
  if (!isLoopback(host)) {
    console.error(
      `Warning: listening on ${host}, not only on this computer. Anyone on your network who gets the link can run tasks and read files here.`,
    );
  }
  if (flags.open) openBrowser(server.url, (reason) => console.error(`Could not open a browser (${reason}); open the link above.`));
}

function stopOnSignal(server: RunningServer): void {
  let stopping = false;
  const stop = () => {
    // A second Ctrl-C while closing quits at once.
    if (stopping) process.exit(130);
    stopping = true;
    console.error('\nStopping Pruneflow...');
    // Training workers may still be inside a step: exit once the server is closed rather than wait for them.
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
