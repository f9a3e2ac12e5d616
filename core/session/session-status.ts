import type { SessionRecord, SessionStatus } from '../project/project.js';

/** What a person sees: a session saved as running with no task of this engine running it was interrupted. */
export type ShownStatus = SessionStatus | 'interrupted' | 'stopped early';

/**
 * A record's status in words for lists and tables: a sweep's session stopped by the sweep's early-stop rule is saved
 * as cancelled (so `resume` can still finish it) and marked by the sweep; it reads "stopped early".
 */
export function recordStatus(record: Pick<SessionRecord, 'status'> & { sweep?: unknown }): SessionStatus | 'stopped early' {
  const sweep = record.sweep as { outcome?: unknown } | undefined;
  return record.status === 'cancelled' && sweep?.outcome === 'stopped-early' ? 'stopped early' : record.status;
}

/** Sessions `resume` can finish: interrupted (saved as running), cancelled, failed or never started. */
export function isUnfinished(record: Pick<SessionRecord, 'status'>): boolean {
  return record.status !== 'done';
}

/**
 * A record's status as loaded: 'running' means interrupted unless `live` (a task of this engine runs it
 * now). A crash or a killed process leaves 'running' in the file; nothing else can say it stopped.
 */
export function shownStatus(record: Pick<SessionRecord, 'status'> & { sweep?: unknown }, live = false): ShownStatus {
  return record.status === 'running' && !live ? 'interrupted' : recordStatus(record);
}

/** The hint a host shows next to an unfinished session. */
export function resumeHint(path: string, record: Pick<SessionRecord, 'id' | 'status'>): string | undefined {
  return isUnfinished(record) ? `pruneflow resume ${path} --session ${record.id}` : undefined;
}
