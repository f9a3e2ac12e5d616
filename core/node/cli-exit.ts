/** Exit codes a script can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;
