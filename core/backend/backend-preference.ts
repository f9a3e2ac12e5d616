import type { BackendPreference } from './select-backend.js';

export const BACKEND_ENV_VARIABLE = 'PRUNEFLOW_BACKEND';

/** A command-line flag beats the environment, which beats the saved setting; otherwise automatic. */
export function resolveBackendPreference(sources: { flag?: string; environment?: string; setting?: string }): BackendPreference {
  if (sources.flag && sources.flag !== 'auto') return { requested: sources.flag, chosenBy: 'flag' };
  if (sources.environment && sources.environment !== 'auto') return { requested: sources.environment, chosenBy: 'environment' };
  if (sources.setting && sources.setting !== 'auto') return { requested: sources.setting, chosenBy: 'setting' };
  return { requested: 'auto', chosenBy: 'auto' };
}
