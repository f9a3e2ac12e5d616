import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository: the nearest folder above with a package.json (from test/build/ or dist/test/build/). */
export const ROOT = repositoryRoot();

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return `${dir}/`;
}

const exec = promisify(execFile);

/** Runs a command in the repository root; on failure the error carries its output, which says why. */
export async function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`.slice(-8000));
  }
}

// Vitest sets NODE_ENV=test, and Vite then builds the renderer with Svelte's development checks (a different
// bundle from the one users get): builds run from tests are production builds, as `npm run build` in a shell.
export const npm = (script: string) => run('npm', ['run', '--silent', script], { NODE_ENV: 'production' });

const newestSource = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newestSource(join(dir, e.name)) : e.name.endsWith('.ts') ? statSync(join(dir, e.name)).mtimeMs : 0,
    ),
  );

/** Runs `npm run build:node` when `built` (a compiled file in dist/) is missing or older than a source in core/. */
export async function buildNodeIfStale(built: URL): Promise<void> {
  const time = existsSync(built) ? statSync(built).mtimeMs : 0;
  if (time < newestSource(join(ROOT, 'core'))) await npm('build:node');
}
