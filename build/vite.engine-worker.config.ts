import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, defineConfig } from 'vite';

const outDir = fileURLToPath(new URL('../dist/renderer/engine/', import.meta.url));
const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

// The engine as a Web Worker of the UI's page (WebGPU, WebGL or wasm inside Chromium): one ES module,
// with the wasm backend's .wasm files and the built-in sample beside it, where the worker fetches them,
// and hdf5-worker.js, the worker the engine reads HDF5 files in (stopped at a deadline: web-hdf5-reader.ts).
export default defineConfig({
  publicDir: false,
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
        cpSync(fromRoot('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'), `${outDir}/wasm/tfjs-backend-wasm-simd.wasm`);
        cpSync(fromRoot('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'), `${outDir}/wasm/tfjs-backend-wasm.wasm`);
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
