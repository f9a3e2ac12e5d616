import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Builds one harness page of renderer/harness/ (a real component on a page of its own) into a fresh
 * temporary folder, to serve with `serveFolder`; the page lands at `harness/<name>.html` in it.
 */
export async function buildHarness(name: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), `pruneflow-${name}-`));
  await build({
    configFile: false,
    root: join(ROOT, 'renderer'),
    base: './',
    logLevel: 'warn',
    publicDir: false,
    plugins: [svelte({ configFile: false })],
    build: { outDir: folder, emptyOutDir: true, target: 'chrome140', rollupOptions: { input: join(ROOT, `renderer/harness/${name}.html`) } },
  });
  return folder;
}
