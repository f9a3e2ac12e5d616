/**
 * Compute backends, best first (Pruneflow's names; node-gpu and node both register tfjs's 'tensorflow').
 * webgpu and webgl exist only where the engine runs inside Chromium (the app's window or a browser page).
 */
export const BACKEND_ORDER = ['node-gpu', 'webgpu', 'webgl', 'node', 'wasm', 'cpu'] as const;
export type BackendId = (typeof BACKEND_ORDER)[number];

export function isBackendId(value: string): value is BackendId {
  return (BACKEND_ORDER as readonly string[]).includes(value);
}

/**
 * One backend the engine can try: `load` resolves when tfjs can run on it, or throws why not. It may
 * resolve with facts worth showing (the GPU's name, SIMD on or off).
 */
export interface BackendCandidate {
  id: BackendId;
  /** `forced`: the user asked for exactly this backend, so take it even where a slower stand-in runs it. */
  load(options?: { forced: boolean }): Promise<string[] | void>;
}

export interface BackendAttempt {
  id: BackendId;
  /** Why this backend was not taken; absent for the one chosen. */
  reason?: string;
}

/** What the engine runs on and why each better backend was not taken. */
export interface BackendReport {
  active: BackendId;
  /** How the choice was made: automatic or forced by a setting, a flag or the environment. */
  chosenBy: 'auto' | 'setting' | 'flag' | 'environment';
  attempts: BackendAttempt[];
  /** Extra facts about the active backend (SIMD, threads). */
  details: string[];
}

export function describeBackendReport(report: BackendReport): string {
  const lines = [`backend: ${report.active} (${report.chosenBy === 'auto' ? 'chosen automatically' : `set by ${report.chosenBy}`})`];
  for (const attempt of report.attempts) {
    if (attempt.reason) lines.push(`  ${attempt.id}: ${attempt.reason}`);
  }
  for (const detail of report.details) lines.push(`  ${detail}`);
  return lines.join('\n');
}
