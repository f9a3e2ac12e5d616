import { BACKEND_ORDER, type BackendId, type BackendReport } from '../api/reports.js';

/** The wire types are defined in core/api (reports.ts); the engine re-exports them for its own files. */
export { BACKEND_ORDER };
export type { BackendAttempt, BackendId, BackendReport } from '../api/reports.js';

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

export function describeBackendReport(report: BackendReport): string {
  const lines = [`backend: ${report.active} (${report.chosenBy === 'auto' ? 'chosen automatically' : `set by ${report.chosenBy}`})`];
  for (const attempt of report.attempts) {
    if (attempt.reason) lines.push(`  ${attempt.id}: ${attempt.reason}`);
  }
  for (const detail of report.details) lines.push(`  ${detail}`);
  return lines.join('\n');
}
