import type { SerializedError } from '../../api/contract.js';
import type { SweepJob } from '../../api/sweep.js';
import type { SessionRecord } from '../../project/project.js';
import type { SweepJobOutcome } from '../../session/sweep-job.js';

/** The BullMQ queue every `pruneflow worker` takes jobs from. */
export const SWEEP_QUEUE = 'pruneflow-sweeps';

/** Redis keys of one sweep, beside BullMQ's own: the project as workers need it, the best per cut, the cancel flag. */
export const sweepKeys = (sweepId: string) => ({
  seed: `pruneflow:sweep:${sweepId}:seed`,
  best: `pruneflow:sweep:${sweepId}:best`,
  cancel: `pruneflow:sweep:${sweepId}:cancel`,
});

/** How long a sweep's keys outlive its last start (a week). */
export const SWEEP_KEY_SECONDS = 7 * 24 * 3600;

/** A job as it sits in the queue. */
export interface QueuedJob {
  sweepId: string;
  job: SweepJob;
  margin?: number;
}

/** What a worker reports while it runs a job (BullMQ's job progress). */
export interface QueuedProgress {
  worker: string;
  message?: string;
}

/** A finished job's return value: the session with its bytes as base64 (BullMQ stores JSON). */
export interface QueuedOutcome {
  sessionId: string;
  status: SweepJobOutcome['status'];
  record: SessionRecord;
  weights: string;
  optimizer?: string;
  worker: string;
}

export function encodeOutcome(outcome: SweepJobOutcome, worker: string): QueuedOutcome {
  const { record, weights, optimizer } = outcome.session;
  return {
    sessionId: outcome.sessionId,
    status: outcome.status,
    record,
    weights: Buffer.from(weights).toString('base64'),
    ...(optimizer && { optimizer: Buffer.from(optimizer).toString('base64') }),
    worker,
  };
}

export function decodeOutcome(value: QueuedOutcome): SweepJobOutcome {
  const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
  return {
    sessionId: value.sessionId,
    status: value.status,
    session: { record: value.record, weights: bytes(value.weights), ...(value.optimizer && { optimizer: bytes(value.optimizer) }) },
  };
}

/** A worker's error crosses BullMQ as its message alone: "Name: message", split again here. */
export const failureMessage = (error: SerializedError) => `${error.name}: ${error.message}`;

export function parseFailure(reason: string | undefined): SerializedError {
  const match = /^([A-Za-z]+Error): ([\s\S]*)$/.exec(reason ?? '');
  return match ? { name: match[1], message: match[2] } : { name: 'Error', message: reason || 'the job failed' };
}
