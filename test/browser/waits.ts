/**
 * How long a browser test waits for what the page promises (a screen, a dialog, an answer of the engine): seconds
 * on a quiet machine, tens of seconds on a 2-core one busy with other work. Waits end as soon as the state is
 * there, so only a failing test waits this long. Also vitest's default for `expect.poll` (vitest.config.ts).
 */
export const UI_WAIT = 60_000;

/**
 * How long a browser test waits for a short run of the engine to end (no training: evaluation, scoring, pruning,
 * saving): about 10 s on a quiet 2-core machine, over a minute at a load average of 20 with two more busy processes.
 */
export const RUN_WAIT = 4 * UI_WAIT;
