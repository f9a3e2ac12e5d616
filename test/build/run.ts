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

// `npm test` builds everything before Vitest starts. A test rebuilds only what is missing or older than its
// sources (someone running one test file after an edit): a rebuild rewrites dist/ file by file, and another
// test file running meanwhile would load a half-written module.
const SOURCE = /\.(ts|svelte|css|html|mjs|cjs)$/;

const newestSource = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newestSource(join(dir, e.name)) : SOURCE.test(e.name) ? statSync(join(dir, e.name)).mtimeMs : 0,
    ),
  );

/** Runs `npm run <script>` when `built` (a file it writes under dist/) is missing or older than a source in `folders`. */
async function buildIfStale(script: string, built: URL | string, folders: string[]): Promise<void> {
  const path = typeof built === 'string' ? join(ROOT, built) : built;
  const time = existsSync(path) ? statSync(path).mtimeMs : 0;
  if (time < Math.max(...folders.map((folder) => newestSource(join(ROOT, folder))))) await npm(script);
}

/** `npm run build:node` (tsc: dist/core, dist/electron) when `built` is missing or older than a source. */
export const buildNodeIfStale = (built: URL | string) => buildIfStale('build:node', built, ['core', 'electron']);

/** `npm run build:preload` when dist/electron/preload.cjs is missing or older than a source it bundles. */
export const buildPreloadIfStale = () => buildIfStale('build:preload', 'dist/electron/preload.cjs', ['core', 'electron']);

/** Every part of `npm run build` that is missing or older than its sources. */
export async function buildAllIfStale(): Promise<void> {
  await buildNodeIfStale('dist/electron/main.js');
  await buildIfStale('build:renderer', 'dist/renderer/index.html', ['core', 'renderer']);
  await buildIfStale('build:engine-worker', 'dist/renderer/engine/engine-worker.js', ['core']);
  await buildPreloadIfStale();
}
