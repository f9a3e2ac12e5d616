import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, defaultClientConditions, defineConfig } from 'vite';
import { copyEngineFiles, ORT_CONDITIONS } from './engine-files.mjs';

const outDir = fileURLToPath(new URL('../dist/renderer/engine/', import.meta.url));
const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

// The engine as a Web Worker of the UI's page (WebGPU, WebGL or wasm inside Chromium): one ES module,
// with the wasm backends' files (tfjs's in wasm/, ONNX Runtime Web's in ort/) and the built-in sample beside it,
// where the worker fetches them, and hdf5-worker.js, the worker the engine reads HDF5 files in (stopped at a deadline: web-hdf5-reader.ts).
export default defineConfig({
  publicDir: false,
  resolve: { conditions: [...ORT_CONDITIONS, ...defaultClientConditions] },
  build: {
    outDir,
    // The renderer's build writes the rest of dist/renderer first.
    emptyOutDir: false,
    target: 'chrome140',
    // The bundle holds all of tfjs: a source map would add 28 MB to the package.
    sourcemap: false,
    lib: {
      entry: fromRoot('core/browser/engine-worker.ts'),
      formats: ['es'],
      fileName: () => 'engine-worker.js',
    },
    rolldownOptions: { output: { codeSplitting: false } },
  },
  plugins: [
    {
      name: 'copy-engine-files',
      async closeBundle() {
        copyEngineFiles(outDir);
        cpSync(fromRoot('core/assets'), `${outDir}/assets`, { recursive: true });
        await build({
          configFile: false,
          publicDir: false,
          logLevel: 'warn',
          build: {
            outDir,
            emptyOutDir: false,
            target: 'chrome140',
            sourcemap: false,
            lib: { entry: fromRoot('core/browser/hdf5-worker.ts'), formats: ['es'], fileName: () => 'hdf5-worker.js' },
            rolldownOptions: { output: { codeSplitting: false } },
          },
        });
      },
    },
  ],
});
