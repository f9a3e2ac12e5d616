import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const rendererDir = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: rendererDir,
  // Relative URLs: the built page is served as app://pruneflow/ by the desktop host and from / by `pruneflow serve`.
  base: './',
  publicDir: false,
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer/', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome140',
    sourcemap: true,
    // One small app: inline nothing as data: URLs, so the CSP can stay strict.
    assetsInlineLimit: 0,
  },
});
