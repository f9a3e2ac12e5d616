// Creates a stand-in for an unpacked Electron distribution, so `electron-builder --linux dir` can
// run offline (there is no Electron binary to download here). The result packs the real app around
// a stub executable: good for checking what gets packed, not for running it.
//   node build/stand-in-electron.mjs [folder]   -> prints the folder
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function createStandInElectron(folder = mkdtempSync(join(tmpdir(), 'pruneflow-electron-'))) {
  const require = createRequire(import.meta.url);
  const { version } = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8'));
  mkdirSync(join(folder, 'resources'), { recursive: true });
  mkdirSync(join(folder, 'locales'), { recursive: true });
  // electron-builder renames `electron` to the app's executable name.
  const executable = join(folder, 'electron');
  writeFileSync(executable, '#!/bin/sh\necho "stand-in Electron: this package was made for inspection only" >&2\nexit 1\n');
  chmodSync(executable, 0o755);
  writeFileSync(join(folder, 'version'), version);
  writeFileSync(join(folder, 'LICENSE'), "Stand-in for Electron's LICENSE (MIT).\n");
  writeFileSync(join(folder, 'LICENSES.chromium.html'), '<!doctype html><title>stand-in</title>\n');
  // Tells build/electron-builder.config.cjs not to flip fuses in a binary that is not Electron.
  writeFileSync(join(folder, 'pruneflow-stand-in'), 'This folder is a stand-in for Electron, for inspecting packages only.\n');
  return folder;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(createStandInElectron(process.argv[2] ? resolve(process.argv[2]) : undefined));
}
