import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** User settings shared by the desktop app and the CLI (the app's user-data folder). */
export interface Settings {
  backend?: string;
}

export function settingsPath(): string {
  if (process.env.PRUNEFLOW_SETTINGS) return process.env.PRUNEFLOW_SETTINGS;
  const home = homedir();
  const base =
    process.platform === 'win32'
      ? (process.env.APPDATA ?? join(home, 'AppData', 'Roaming'))
      : process.platform === 'darwin'
        ? join(home, 'Library', 'Application Support')
        : (process.env.XDG_CONFIG_HOME ?? join(home, '.config'));
  return join(base, 'Pruneflow', 'settings.json');
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Missing settings are the defaults; unreadable ones are an error that names the file. */
export async function readSettings(path = settingsPath()): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new SettingsError(`Cannot read settings ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    const backend = (parsed as Record<string, unknown>).backend;
    return typeof backend === 'string' ? { backend } : {};
  } catch (error) {
    throw new SettingsError(`Settings file ${path} is not valid: ${(error as Error).message}`);
  }
}
