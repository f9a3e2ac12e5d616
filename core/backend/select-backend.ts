import { BACKEND_ORDER, type BackendAttempt, type BackendCandidate, type BackendId, type BackendReport, isBackendId } from './backend-report.js';
import { assertTfjsVersion } from './tfjs-compat/index.js';

export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

export interface BackendPreference {
  /** A backend forced by the user, or 'auto'. */
  requested?: string;
  chosenBy?: BackendReport['chosenBy'];
}

/**
 * Tries the candidates best first and activates the first that loads. A forced backend is the only one
 * tried: silently running on something else would mislead a user who asked for it.
 */
export async function selectBackend(candidates: readonly BackendCandidate[], preference: BackendPreference = {}): Promise<BackendReport> {
  // The engine's patches of TensorFlow.js internals hold for one version only: refuse another before any runs.
  assertTfjsVersion();
  const requested = preference.requested ?? 'auto';
  if (requested !== 'auto' && !isBackendId(requested)) {
    throw new BackendUnavailableError(`Unknown backend '${requested}'. Choose one of: auto, ${BACKEND_ORDER.join(', ')}.`);
  }
  const sorted = [...candidates].sort((a, b) => BACKEND_ORDER.indexOf(a.id) - BACKEND_ORDER.indexOf(b.id));
  const attempts: BackendAttempt[] = [];
  for (const id of BACKEND_ORDER) {
    const candidate = sorted.find((c) => c.id === id);
    if (requested !== 'auto' && id !== requested) {
      attempts.push({ id, reason: `not tried: backend '${requested}' was requested` });
      continue;
    }
    if (!candidate) {
      attempts.push({ id, reason: 'not available in this host' });
      continue;
    }
    try {
      const details = await candidate.load({ forced: requested !== 'auto' });
      return {
        active: id,
        chosenBy: requested === 'auto' ? 'auto' : (preference.chosenBy ?? 'setting'),
        attempts: attempts.concat({ id }),
        details: details ?? [],
      };
    } catch (error) {
      attempts.push({ id, reason: errorMessage(error) });
    }
  }
  const why = attempts.map((a) => `${a.id}: ${a.reason}`).join('; ');
  throw new BackendUnavailableError(`No compute backend could be started (${why}).`);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
