import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Small state files of the shell (window bounds, recent files, theme). Written synchronously: they
 * are saved while a window closes, and the app may quit right after, before async work would finish.
 */

/** Reads and checks a JSON file; a missing, unreadable or malformed file counts as absent (state is a convenience). */
export function readJsonFile<T>(file: string, parse: (value: unknown) => T | undefined): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Writes beside the target, flushes, then renames into place: a crash never leaves half a file. */
export function writeJsonFileAtomically(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.partial-${process.pid}`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, file);
}
