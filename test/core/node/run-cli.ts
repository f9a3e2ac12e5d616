import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../build/run.js';

/** The built command line (`npm run build:node`), run as a user runs it: `node dist/core/node/cli.js ...`. */
export const CLI = join(ROOT, 'dist/core/node/cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The child's whole environment (nothing of process.env is added). */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Sends `signal`, `afterMs` after stderr first shows `when`: a Ctrl-C or a crash landing mid-run. */
  stop?: { when: string; signal: NodeJS.Signals; afterMs?: number };
}

/** Runs the CLI to its end and hands back its exit and everything it printed. */
export function runCli(args: readonly string[], { env, cwd, stop }: CliOptions): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd });
    let stdout = '';
    let stderr = '';
    let pending = stop;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (pending && stderr.includes(pending.when)) {
        const { signal, afterMs } = pending;
        pending = undefined;
        if (afterMs === undefined) child.kill(signal);
        else setTimeout(() => child.kill(signal), afterMs);
      }
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
