import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RunCache } from '../session/run-inputs.js';
import { settingsPath } from './settings.js';
import { writeFilesAtomically } from './write-files.js';

export class CacheKeyError extends Error {
  override name = 'CacheKeyError';
}

/** The cache lives beside the settings file (the app's user-data folder), so PRUNEFLOW_SETTINGS moves both. */
export function cacheFolder(): string {
  return join(dirname(settingsPath()), 'cache');
}

/** One file per key, written atomically: a crash mid-write leaves the old entry or none, never half of one. */
export function fileCache(folder = cacheFolder()): RunCache {
  const fileOf = (key: string) => {
    if (!/^[a-z0-9][a-z0-9-]{0,127}$/.test(key)) throw new CacheKeyError(`Cache keys are lowercase letters, digits and dashes, got '${key.slice(0, 40)}'`);
    return `${key}.json`;
  };
  return {
    async read(key) {
      try {
        return new Uint8Array(await readFile(join(folder, fileOf(key))));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(key, bytes) {
      await writeFilesAtomically(folder, [{ name: fileOf(key), bytes }]);
    },
  };
}
