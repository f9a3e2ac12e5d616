import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The preload (electron/preload.ts) as ONE self-contained CommonJS file: sandboxed preloads cannot
// load chunks or ESM. Kept in build/ so tsc does not emit it into dist/electron/.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/electron/', import.meta.url)),
    // tsc writes the main process into the same folder.
    emptyOutDir: false,
    target: 'node22',
    minify: false,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('../electron/preload.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rolldownOptions: {
      external: ['electron'],
      output: { codeSplitting: false },
    },
  },
});
