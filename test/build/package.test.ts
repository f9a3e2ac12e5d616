import { listPackage } from '@electron/asar';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAllIfStale, ROOT, run } from './run.js';

// Builds the app, packs it with electron-builder around a stand-in Electron (no binary can be
// downloaded here) and checks what a user would get: the app's code and the engine's WebAssembly,
// and none of the sources or development tools.
const work = mkdtempSync(join(tmpdir(), 'pruneflow-pack-'));
const output = join(work, 'release');
const unpacked = join(output, 'linux-unpacked');
const resources = join(unpacked, 'resources');
let files: Set<string>;

beforeAll(async () => {
  await buildAllIfStale();
  const electronDist = (await run(process.execPath, ['build/stand-in-electron.mjs', join(work, 'electron')])).trim();
  await run(
    process.execPath,
    [join(ROOT, 'node_modules/electron-builder/cli.js'), '--config', 'build/electron-builder.config.cjs', '--linux', 'dir', `-c.directories.output=${output}`],
    { PRUNEFLOW_ELECTRON_DIST: electronDist, CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
  );
  files = new Set(listPackage(join(resources, 'app.asar'), { isPack: false }).map((path) => path.replaceAll('\\', '/')));
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packed desktop app (linux dir)', () => {
  it('has the executable named after the app', () => {
    expect(statSync(join(unpacked, 'pruneflow')).mode & 0o111).not.toBe(0);
  });

  it.each([
    '/package.json',
    '/dist/electron/main.js',
    '/dist/electron/engine-worker.js',
    '/dist/electron/preload.cjs',
    '/dist/renderer/index.html',
    '/dist/core/session/engine.js',
    '/dist/core/assets/fashion-mnist-sample/train-images-idx3-ubyte.gz',
    '/node_modules/@tensorflow/tfjs-core/package.json',
    '/node_modules/@tensorflow/tfjs-backend-wasm/package.json',
    // Dependencies of dependencies that tfjs-core loads at run time.
    '/node_modules/seedrandom/package.json',
    '/node_modules/long/package.json',
    // Keras .h5/.keras files: h5wasm's script embeds its WebAssembly.
    '/node_modules/h5wasm/package.json',
    '/node_modules/h5wasm/dist/esm/hdf5_hl.js',
    '/README.md',
    // ONNX Runtime Web's wasm build for the page engine's forward passes, fetched from ort/ beside its script.
    '/dist/renderer/engine/ort/ort-wasm-simd-threaded.mjs',
    '/dist/renderer/engine/ort/ort-wasm-simd-threaded.wasm',
  ])('contains %s', (path) => {
    expect(files.has(path)).toBe(true);
  });

  it('unpacks the engine WebAssembly so it loads from disk', () => {
    const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
    const source = readdirSync(join(ROOT, wasmDir)).filter((name) => name.endsWith('.wasm'));
    expect(source.length).toBeGreaterThan(0);
    for (const name of source) {
      expect(files.has(`/${wasmDir}/${name}`), name).toBe(true);
      expect(existsSync(join(resources, 'app.asar.unpacked', wasmDir, name)), name).toBe(true);
    }
  });

  it("keeps ONNX Runtime's native library for this system only, unpacked so the OS can load it", () => {
    const bin = 'node_modules/onnxruntime-node/bin/napi-v6';
    const packed = [...files].filter((path) => path.startsWith(`/${bin}/`) && /\.(node|so(\.\d+)*|dylib|dll)$/.test(path));
    expect(packed.length).toBeGreaterThan(0);
    for (const path of packed) expect(path.startsWith(`/${bin}/${process.platform}/${process.arch}/`), path).toBe(true);
    for (const path of packed) expect(existsSync(join(resources, 'app.asar.unpacked', path)), path).toBe(true);
    expect(files.has('/node_modules/onnxruntime-node/dist/index.js')).toBe(true);
  });

  it("keeps ONNX Runtime Web's WebAssembly out of the engine worker's script (fetched from ort/, not inlined as base64)", () => {
    const script = readFileSync(join(ROOT, 'dist/renderer/engine/engine-worker.js'), 'latin1');
    // 'AGFzbQ' is base64 for a WebAssembly module's first bytes (\0asm).
    expect(script).not.toMatch(/data:application\/wasm|AGFzbQ/);
    expect(script).toContain('ort-wasm-simd-threaded');
    expect(statSync(join(ROOT, 'dist/renderer/engine/engine-worker.js')).size).toBeLessThan(9_000_000);
  });

  it('puts the user guide outside app.asar, where Help > Documentation opens it', () => {
    expect(readFileSync(join(resources, 'app.asar.unpacked', 'README.md'), 'utf8')).toBe(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  });

  it('has one renderer script and style, referenced relatively', () => {
    const assets = [...files].filter((path) => path.startsWith('/dist/renderer/assets/'));
    expect(assets.filter((path) => path.endsWith('.js'))).toHaveLength(1);
    expect(assets.filter((path) => path.endsWith('.css'))).toHaveLength(1);
    const html = readFileSync(join(ROOT, 'dist/renderer/index.html'), 'utf8');
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    expect(html).toContain('<link rel="icon" href="data:,"');
    expect(html).toMatch(/src="\.\/assets\/index-[\w-]+\.js"/);
  });

  it.each([
    'svelte',
    'vite',
    'electron',
    'electron-builder',
    'typescript',
    'vitest',
    'd3',
    'playwright-core',
    '@sveltejs',
    '@electron',
    'eslint',
    'svelte-check',
    'onnxruntime-web',
  ])('leaves out the development dependency %s', (name) => {
    expect([...files].some((path) => path.startsWith(`/node_modules/${name}/`))).toBe(false);
  });

  it('leaves out sources, tests and source maps', () => {
    const unwanted = [...files].filter(
      (path) => /^\/(core|electron|renderer|test|build)\//.test(path) || path.startsWith('/dist/test/') || path.endsWith('.map') || path.endsWith('.ts'),
    );
    expect(unwanted).toEqual([]);
  });
});
