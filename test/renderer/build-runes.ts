import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Builds runes modules of the renderer (`renderer/lib/*.svelte.ts`) as the app builds them (Svelte's client
 * compiler), into one temporary folder, so Node tests can import them without a browser. Entries are
 * paths relative to the repository; the returned `load` imports one by its entry name; `remove` deletes the folder.
 */
export async function buildRunes(entries: Record<string, string>): Promise<{ load: <T>(name: string) => Promise<T>; remove: () => Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'pruneflow-runes-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    plugins: [svelte({ configFile: false })],
    build: {
      outDir: folder,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      lib: {
        entry: Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, join(ROOT, path)])),
        formats: ['es'],
        fileName: (_format, name) => `${name}.js`,
      },
    },
  });
  return {
    load: async <T>(name: string) => (await import(pathToFileURL(join(folder, `${name}.js`)).href)) as T,
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}
