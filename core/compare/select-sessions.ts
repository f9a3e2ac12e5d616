import type { Project, SessionRecord } from '../project/project.js';

export class UnknownSessionError extends Error {
  override name = 'UnknownSessionError';
}

/** A session record and the project file it came from, as the comparison takes them. */
export interface ComparedSession {
  project: string;
  record: SessionRecord;
}

/**
 * The sessions of `project` that `wanted` names, by id ("s2") or by name, in the order given; every session
 * when `wanted` is empty. A name that matches nothing, or more than one session, is an UnknownSessionError.
 */
export function selectSessions(path: string, project: Project, wanted: readonly string[] = []): ComparedSession[] {
  const records = project.sessions.map((s) => s.record);
  if (wanted.length === 0) return records.map((record) => ({ project: path, record }));
  return wanted.map((ref) => ({ project: path, record: findSession(path, records, ref) }));
}

export function findSession(path: string, records: readonly SessionRecord[], ref: string): SessionRecord {
  const byId = records.find((r) => r.id === ref);
  if (byId) return byId;
  const byName = records.filter((r) => r.name === ref);
  if (byName.length === 1) return byName[0];
  const known = records.length === 0 ? 'it has no sessions' : `its sessions: ${records.map((r) => `${r.id} (${r.name})`).join(', ')}`;
  if (byName.length > 1) throw new UnknownSessionError(`${path}: ${byName.length} sessions are named '${ref}'; give the id instead (${known})`);
  throw new UnknownSessionError(`${path} has no session '${ref}'; ${known}`);
}
