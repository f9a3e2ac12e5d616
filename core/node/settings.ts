import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type { InputLimits } from '../data/input-limits.js';

/** User settings shared by the desktop app and the CLI (the app's user-data folder). */
export interface Settings {
  backend?: string;
  /** Raises (or lowers) what one input file may make the engine allocate; see core/data/input-limits.ts. */
  inputLimits?: Partial<InputLimits>;
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
    const { backend, inputLimits } = parsed as Record<string, unknown>;
    return { ...(typeof backend === 'string' && { backend }), ...(inputLimits !== undefined && { inputLimits: checkLimits(inputLimits) }) };
  } catch (error) {
    throw new SettingsError(`Settings file ${path} is not valid: ${(error as Error).message}`);
  }
}

const LIMIT_KEYS = ['maxUnpackedBytes', 'maxArchiveEntries', 'maxImagePixels', 'maxParseSeconds'] as const;

function checkLimits(value: unknown): Partial<InputLimits> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('"inputLimits" must be an object');
  const limits: Partial<InputLimits> = {};
  for (const [key, limit] of Object.entries(value)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(key)) throw new Error(`"inputLimits" has no setting "${key}" (known: ${LIMIT_KEYS.join(', ')})`);
    if (!(typeof limit === 'number' && Number.isFinite(limit) && limit > 0)) throw new Error(`"inputLimits.${key}" must be a positive number`);
    limits[key as keyof InputLimits] = limit;
  }
  return limits;
}
