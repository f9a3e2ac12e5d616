import type { SerializedError } from '../../api/contract.js';
import type { SweepJob } from '../../api/sweep.js';
import type { SweepJobOutcome } from '../../session/sweep-job.js';

/** Messages between the local executor and its worker threads. */
export type ToSweepThread =
  | { type: 'job'; sweepId: string; job: SweepJob; seed: Uint8Array; margin?: number }
  /** The best accuracy after pruning at a cut, for the early-stop rule. */
  | { type: 'best'; cut: string; accuracy: number }
  | { type: 'cancel' };

export type FromSweepThread =
  | { type: 'progress'; sessionId: string; message: string }
  | { type: 'done'; outcome: SweepJobOutcome }
  | { type: 'failed'; sessionId: string; error: SerializedError; cancelled: boolean };
