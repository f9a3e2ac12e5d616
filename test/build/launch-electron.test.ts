import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './run.js';

// `npm start`'s launcher, run for real: with no Electron it must say what to do; with one it must run
// it on the app and pass the exit code on.
const exec = promisify(execFile);
const LAUNCHER = join(ROOT, 'build/launch-electron.mjs');
const work = mkdtempSync(join(tmpdir(), 'pruneflow-launch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const { findElectron, missingElectronAdvice } = (await import(LAUNCHER)) as {
  findElectron(options: { env?: NodeJS.ProcessEnv; platform?: string; electronDir?: string | null }): { path?: string; missing?: string };
  missingElectronAdvice(reason: string, version?: string): string;
};

async function launch(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [LAUNCHER, ...args], { env: { ...process.env, PRUNEFLOW_NO_ELECTRON_DOWNLOAD: '1', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('npm start launcher', () => {
  it('finds no binary in an electron package that was never downloaded', () => {
    const packageDir = join(work, 'electron-package');
    mkdirSync(packageDir, { recursive: true });
    expect(findElectron({ env: {}, platform: 'linux', electronDir: packageDir })).toEqual({
      missing: `its binary has not been downloaded (no ${join(packageDir, 'dist', 'electron')})`,
    });
    writeFileSync(join(packageDir, 'path.txt'), 'electron');
    mkdirSync(join(packageDir, 'dist'));
    writeFileSync(join(packageDir, 'dist', 'electron'), '');
    expect(findElectron({ env: {}, platform: 'linux', electronDir: packageDir })).toEqual({ path: join(packageDir, 'dist', 'electron') });
    expect(findElectron({ env: {}, platform: 'linux', electronDir: null }).missing).toMatch(/not in node_modules/);
  });

  it('says clearly what to do when Electron is missing, and exits 1', async () => {
    const { code, stderr } = await launch(['--check'], { ELECTRON_OVERRIDE_DIST_PATH: join(work, 'nowhere') });
    expect(code).toBe(1);
    expect(stderr).toContain('Pruneflow cannot start the desktop app: Electron');
    expect(stderr).toContain(`ELECTRON_OVERRIDE_DIST_PATH is set, but ${join(work, 'nowhere', 'electron')} does not exist`);
    expect(stderr).toContain('npx install-electron');
    expect(stderr).toContain('npx pruneflow serve');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('names the installed Electron version in its advice', () => {
    expect(missingElectronAdvice('no binary', '45.5.0')).toMatch(/^Pruneflow cannot start the desktop app: Electron 45\.5\.0 is not available \(no binary\)\./);
  });

  it.runIf(process.platform !== 'win32')('runs Electron on the app folder with the arguments, and passes its exit code on', async () => {
    const dist = join(work, 'electron-dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'electron'), '#!/bin/sh\necho "electron got: $*"\nexit 3\n');
    chmodSync(join(dist, 'electron'), 0o755);
    expect(await launch(['--check'], { ELECTRON_OVERRIDE_DIST_PATH: dist })).toMatchObject({ code: 0 });
    const { code, stdout } = await launch(['projects/a.pruneflow'], { ELECTRON_OVERRIDE_DIST_PATH: dist });
    expect(stdout.trim()).toBe(`electron got: ${ROOT} projects/a.pruneflow`);
    expect(code).toBe(3);
  });
});
