export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor(what = 'The task') {
    super(`${what} was cancelled`);
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw new CancelledError(what);
}

/** Lets other work (UI messages, Ctrl-C) run between batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
