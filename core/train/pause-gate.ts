export interface PauseListener {
  /** A loop reached the gate while paused and now holds there (between batches: weights are consistent). */
  onHold?(): void;
  /** The holding loop was released by `resume` (not by a cancel). */
  onRelease?(): void;
}

/**
 * Pause and resume for long loops. A loop awaits `wait` at its batch boundaries: while the gate is open
 * that costs nothing; while paused, the loop holds there until `resume` or until its signal aborts (a
 * cancel must never wait for a resume).
 */
export class PauseGate {
  #paused = false;
  #release: (() => void) | undefined;
  #released: Promise<void> = Promise.resolve();

  constructor(private readonly listener: PauseListener = {}) {}

  get paused(): boolean {
    return this.#paused;
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#released = new Promise((resolve) => (this.#release = resolve));
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#release?.();
  }

  /** Resolves at once while open; while paused, once resumed or `signal` aborts. */
  async wait(signal?: AbortSignal): Promise<void> {
    if (!this.#paused || signal?.aborted) return;
    this.listener.onHold?.();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    await Promise.race([this.#released, aborted]);
    signal?.removeEventListener('abort', onAbort!);
    if (!signal?.aborted) this.listener.onRelease?.();
  }
}
