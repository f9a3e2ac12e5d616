// `npm start`: launches the built desktop app with the installed Electron, or, where there is none,
// says what to do instead of failing with a stack trace.
//   node build/launch-electron.mjs --check   finds (or downloads) Electron; exit 1 with advice if missing
//   node build/launch-electron.mjs [args]    runs Electron on this app, passing args and the exit code on
// ELECTRON_OVERRIDE_DIST_PATH: an unpacked Electron folder to use (as the electron package honours it).
// PRUNEFLOW_NO_ELECTRON_DOWNLOAD=1: do not try to download a missing Electron.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

const EXECUTABLES = { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe', linux: 'electron', freebsd: 'electron', openbsd: 'electron' };

/**
 * Where the Electron executable is: `{ path }`, or `{ missing }` saying why there is none.
 * `electronDir` is the electron package's folder (null if the package is not installed).
 */
export function findElectron({ env = process.env, platform = process.platform, electronDir = electronPackageDir() } = {}) {
  const executable = EXECUTABLES[platform];
  if (!executable) return { missing: `Electron has no build for the platform '${platform}'` };
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const path = join(env.ELECTRON_OVERRIDE_DIST_PATH, executable);
    return existsSync(path) ? { path } : { missing: `ELECTRON_OVERRIDE_DIST_PATH is set, but ${path} does not exist` };
  }
  if (!electronDir) return { missing: 'the electron package is not in node_modules' };
  const pathFile = join(electronDir, 'path.txt');
  const path = join(electronDir, 'dist', existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : executable);
  return existsSync(path) ? { path } : { missing: `its binary has not been downloaded (no ${path})` };
}

export function missingElectronAdvice(reason, version = electronVersion()) {
  const electron = version ? `Electron ${version}` : 'Electron';
  return [
    `Pruneflow cannot start the desktop app: ${electron} is not available (${reason}).`,
    '',
    'What to do:',
    '  - With a network connection: run `npx install-electron` once (it downloads Electron), then `npm start`.',
    `  - Offline, with an unpacked ${electron} for this system: ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron npm start`,
    '  - Without Electron: `npx pruneflow serve` opens the same app in your browser,',
    '    and `npx pruneflow --help` lists what the command line can do.',
  ].join('\n');
}

function electronPackageDir() {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

function electronVersion() {
  const dir = electronPackageDir();
  return dir ? JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version : undefined;
}

/** The electron package's own installer (needs the network); true if it succeeded. */
function tryDownload() {
  const dir = electronPackageDir();
  if (!dir || process.env.PRUNEFLOW_NO_ELECTRON_DOWNLOAD === '1' || process.env.ELECTRON_OVERRIDE_DIST_PATH) return false;
  console.error('Electron is not downloaded yet; downloading it (once)...');
  return spawnSync(process.execPath, [join(dir, 'install.js')], { stdio: 'inherit' }).status === 0;
}

function main(args) {
  let found = findElectron();
  if (found.missing && tryDownload()) found = findElectron();
  if (found.missing) {
    console.error(missingElectronAdvice(found.missing));
    process.exit(1);
  }
  if (args[0] === '--check') return;
  const child = spawn(found.path, [APP_DIR, ...args], { stdio: 'inherit', windowsHide: false });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('close', (code, signal) => {
    if (code === null) console.error(`Electron exited with signal ${signal}`);
    process.exit(code ?? 1);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
