import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../../build/run.js';

// `pruneflow serve` as a user starts it: the built command line (npm test builds dist/ first) in its own process.
const CLI = join(ROOT, 'dist/core/node/cli.js');
const PAGE = join(ROOT, 'dist/renderer/index.html');
// Loading the engine takes seconds on a quiet machine and over a minute on a busy one (load average 25).
const STARTUP_MS = 120_000;

export interface ServeProcess {
  /** The printed link, token included. */
  url: URL;
  token: string;
  /** http://host:port, the page's origin. */
  origin: string;
  output(): string;
  /** Whether the process has ended (a crash, a kill). */
  exited(): boolean;
  /** Ctrl-C, and how the process ended. */
  interrupt(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

export async function startServe(args: string[] = []): Promise<ServeProcess> {
  for (const built of [CLI, PAGE]) if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first.`);
  const settings = join(mkdtempSync(join(tmpdir(), 'pruneflow-serve-')), 'absent.json');
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-open', ...args], {
    env: { ...process.env, PRUNEFLOW_SETTINGS: settings },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = false;
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  const url = await printedUrl(child, () => output, ended);
  return {
    url,
    token: url.searchParams.get('token')!,
    origin: url.origin,
    output: () => output,
    exited: () => exited,
    interrupt: () => {
      child.kill('SIGINT');
      return ended;
    },
    kill: () => void child.kill('SIGKILL'),
  };
}

function printedUrl(child: ChildProcessWithoutNullStreams, output: () => string, ended: Promise<unknown>): Promise<URL> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pruneflow serve printed no link within ${STARTUP_MS / 1000} s:\n${output()}`));
    }, STARTUP_MS);
    const look = () => {
      const match = /http:\/\/\S+\?token=[0-9a-f]{64}/.exec(output());
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', look);
      resolve(new URL(match[0]));
    };
    child.stdout.on('data', look);
    void ended.then(() => {
      clearTimeout(timer);
      reject(new Error(`pruneflow serve exited before printing its link:\n${output()}`));
    });
  });
}
