import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Configuration } from 'electron-builder';
import { minimatch } from 'minimatch';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, run } from './run.js';

// The installer targets cannot be built here (no network, no Windows or macOS tools); their
// configuration is checked instead. test/build/package.test.ts packs the `dir` target for real.
const require = createRequire(import.meta.url);
const CONFIG = join(ROOT, 'build/electron-builder.config.cjs');
const work = mkdtempSync(join(tmpdir(), 'pruneflow-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function loadConfig(electronDist?: string): Configuration {
  const previous = process.env.PRUNEFLOW_ELECTRON_DIST;
  if (electronDist === undefined) delete process.env.PRUNEFLOW_ELECTRON_DIST;
  else process.env.PRUNEFLOW_ELECTRON_DIST = electronDist;
  try {
    delete require.cache[CONFIG];
    return require(CONFIG) as Configuration;
  } finally {
    if (previous === undefined) delete process.env.PRUNEFLOW_ELECTRON_DIST;
    else process.env.PRUNEFLOW_ELECTRON_DIST = previous;
  }
}

const config = loadConfig();
const unpacked = (path: string) => (config.asarUnpack as string[]).some((pattern) => minimatch(path, pattern));

describe('installer configuration', () => {
  it('builds AppImage, deb and tar.gz on Linux, NSIS on Windows and dmg on macOS', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb', 'tar.gz']);
    expect(config.win?.target).toBe('nsis');
    expect(config.mac?.target).toBe('dmg');
    expect(config.linux?.executableName).toBe('pruneflow');
  });

  it('associates .pruneflow files with the app on every system', () => {
    expect(config.fileAssociations).toEqual([
      expect.objectContaining({
        ext: 'pruneflow',
        name: 'Pruneflow project',
        description: 'Pruneflow project',
        mimeType: 'application/x-pruneflow',
        role: 'Editor',
      }),
    ]);
    // electron-builder's NSIS script registers associations only in a per-machine install.
    expect(config.nsis).toMatchObject({ perMachine: true, oneClick: false });
    expect(config.icon).toBe('build/icons/icon.png');
  });

  it('unpacks every tfjs-backend-wasm .wasm file from app.asar', () => {
    const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
    const wasm = readdirSync(join(ROOT, wasmDir)).filter((name) => name.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThanOrEqual(3);
    for (const name of wasm) expect(unpacked(`${wasmDir}/${name}`), name).toBe(true);
    expect(unpacked(`${wasmDir}/tf-backend-wasm.node.js`)).toBe(false);
  });

  it('unpacks the optional native backends, whose libraries the OS loads', () => {
    for (const path of [
      'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
      'node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2',
      'node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow.so.2',
    ]) {
      expect(unpacked(path), path).toBe(true);
    }
    expect(unpacked('node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js')).toBe(false);
  });

  it.each([
    ['linux', 'linux', 'x64'],
    ['linux', 'linux', 'arm64'],
    ['win', 'win32', 'x64'],
    ['mac', 'darwin', 'arm64'],
  ] as const)("keeps only the target's ONNX Runtime binaries (%s, %s %s), unpacked from app.asar", (key, platform, arch) => {
    // electron-builder filters node_modules with the exclusions of `files` and the platform's `files`, ${arch} expanded.
    const exclusions = [...(config.files as string[]), ...((config[key]?.files ?? []) as string[])]
      .filter((p) => p.startsWith('!'))
      .map((p) => p.slice(1).replaceAll('${arch}', arch));
    const bin = 'node_modules/onnxruntime-node/bin/napi-v6';
    const all = (readdirSync(join(ROOT, bin), { recursive: true }) as string[])
      .map((name) => `${bin}/${name.replaceAll('\\', '/')}`)
      .filter((path) => statSync(join(ROOT, path)).isFile());
    const kept = all.filter((path) => !exclusions.some((pattern) => minimatch(path, pattern, { dot: true })));
    expect(all.length).toBeGreaterThan(kept.length);
    expect(kept.length).toBeGreaterThan(0);
    for (const path of kept) expect(path.startsWith(`${bin}/${platform}/${arch}/`), path).toBe(true);
    // Every file the target's folder has is kept (none of its own libraries left out).
    expect(kept).toEqual(all.filter((path) => path.startsWith(`${bin}/${platform}/${arch}/`)));
    expect(kept.some((path) => path.endsWith('onnxruntime_binding.node'))).toBe(true);
    for (const path of kept) expect(unpacked(path), path).toBe(true);
    // The JavaScript stays packed.
    expect(unpacked('node_modules/onnxruntime-node/dist/index.js')).toBe(false);
  });

  it("passes electron-builder's own schema, and its merged configuration keeps the file association", async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      getConfig(projectDir: string, configPath: string): Promise<Configuration>;
      validateConfiguration(config: Configuration, debugLogger: { isEnabled: boolean }): Promise<void>;
    };
    const merged = await getConfig(ROOT, CONFIG);
    await validateConfiguration(merged, { isEnabled: false });
    expect(merged.fileAssociations).toEqual(config.fileAssociations);
    expect(merged.directories).toMatchObject({ buildResources: 'build', output: 'release' });
  });

  it('flips the security fuses of a real Electron, and leaves a stand-in alone', async () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
    });
    const standIn = (await run(process.execPath, ['build/stand-in-electron.mjs', join(work, 'stand-in')])).trim();
    expect(loadConfig(standIn).electronFuses).toBeNull();
  });
});
