import type { SessionRef } from '../api/comparison.js';

/**
 * `A.pruneflow` (every session) or `A.pruneflow:s2` / `A.pruneflow:cip 50%` (one, by id or name). The
 * split is after ".pruneflow", so drive letters and colons elsewhere in a path stay part of it.
 */
export function parseSessionRef(text: string): SessionRef {
  const match = /^(.*\.pruneflow):(.+)$/i.exec(text);
  return match ? { path: match[1], session: match[2] } : { path: text };
}

/** Whether a model argument names a project file (or one of its sessions) rather than a model. */
export function isProjectRef(text: string): boolean {
  return /\.pruneflow(:.+)?$/i.test(text);
}
