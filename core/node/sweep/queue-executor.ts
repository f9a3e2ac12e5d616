import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { SweepJobView } from '../../api/sweep.js';
import type { ExecutorHooks, SweepExecutor, SweepRun } from '../../session/sweep-coordinator.js';
import {
  decodeOutcome,
  parseFailure,
  type QueuedJob,
  type QueuedOutcome,
  type QueuedProgress,
  SWEEP_KEY_SECONDS,
  SWEEP_QUEUE,
  sweepKeys,
} from './queue-keys.js';

export interface QueueExecutorOptions {
  /** redis://host:port */
  url: string;
  /** Tries per job (a failure or a lost worker each use one); default 3. */
  attempts?: number;
  /** The first retry's delay, doubled for each next one; default 2000 ms. */
  backoffMs?: number;
  /** How often the coordinator looks at its jobs; default 500 ms. */
  pollMs?: number;
}

/**
 * Jobs on a BullMQ queue in Redis, run by `pruneflow worker` processes on any machine. Each job's id is
 * its sweep's and session's, so adding it again is a no-op (idempotent); retries with exponential
 * backoff; a job whose worker vanished is found by BullMQ's stalled-job check and run again by another.
 * Results come back as the jobs' return values; the coordinator writes them.
 */
export function queueExecutor(options: QueueExecutorOptions): SweepExecutor {
  const connection = { url: options.url, maxRetriesPerRequest: null };
  const queue = new Queue<QueuedJob, QueuedOutcome>(SWEEP_QUEUE, { connection });
  const redis = new Redis(options.url, { maxRetriesPerRequest: 3 });
  let current: { sweepId: string; pending: Map<string, string> } | undefined;
  let cancelled = false;

  const jobIdOf = (sweepId: string, sessionId: string) => `${sweepId}-${sessionId}`;

  async function poll(sweepId: string, pending: Map<string, string>, hooks: ExecutorHooks): Promise<void> {
    const seen = new Map<string, string>();
    const update = (sessionId: string, change: Partial<SweepJobView>) => {
      const key = JSON.stringify(change);
      if (seen.get(sessionId) === key) return;
      seen.set(sessionId, key);
      hooks.update(sessionId, change);
    };
    while (pending.size > 0) {
      for (const [sessionId, jobId] of [...pending]) {
        const job = await Job.fromId<QueuedJob, QueuedOutcome>(queue, jobId);
        if (!job) {
          // Removed from the queue: a cancel took it before a worker did.
          pending.delete(sessionId);
          hooks.fail(sessionId, { name: 'SweepCancelledError', message: 'cancelled before it started' }, true);
          continue;
        }
        const state = await job.getState();
        const progress = (typeof job.progress === 'object' ? job.progress : {}) as Partial<QueuedProgress>;
        if (state === 'completed') {
          // A job that finished between the fetch and the state read has its outcome only in a fresh copy.
          const outcome = job.returnvalue ?? (await Job.fromId<QueuedJob, QueuedOutcome>(queue, jobId))?.returnvalue;
          if (!outcome) continue; // not readable yet: the next poll takes it
          pending.delete(sessionId);
          await hooks.complete(decodeOutcome(outcome), outcome.worker).catch((error: unknown) => {
            hooks.fail(sessionId, { name: 'SweepWriteError', message: (error as Error).message }, false);
          });
        } else if (state === 'failed') {
          pending.delete(sessionId);
          const error = parseFailure(job.failedReason);
          hooks.fail(sessionId, error, error.name === 'SweepCancelledError');
        } else if (state === 'active') {
          update(sessionId, {
            status: 'running',
            attempts: job.attemptsMade + 1,
            ...(progress.worker && { worker: progress.worker }),
            ...(progress.message && { message: progress.message }),
          });
        } else {
          const retry = job.attemptsMade > 0 && job.failedReason ? { message: `retrying after: ${job.failedReason}` } : {};
          update(sessionId, { status: 'queued', attempts: job.attemptsMade, ...retry });
        }
      }
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }
  }

  return {
    kind: 'queue',
    async run(sweep: SweepRun, hooks: ExecutorHooks) {
      const keys = sweepKeys(sweep.sweepId);
      await redis.multi().set(keys.seed, Buffer.from(sweep.seed), 'EX', SWEEP_KEY_SECONDS).del(keys.cancel).del(keys.best).exec();
      const pending = new Map<string, string>();
      current = { sweepId: sweep.sweepId, pending };
      for (const job of sweep.jobs) {
        const jobId = jobIdOf(sweep.sweepId, job.sessionId);
        // A job that failed (or was cancelled) in an earlier run of this sweep is tried afresh; a completed one is kept: its result is read again.
        const earlier = await Job.fromId(queue, jobId);
        if (earlier && (await earlier.getState()) === 'failed') await earlier.remove();
        if (cancelled) break;
        await queue.add(
          'session',
          { sweepId: sweep.sweepId, job, margin: sweep.margin },
          {
            jobId,
            attempts: options.attempts ?? 3,
            backoff: { type: 'exponential', delay: options.backoffMs ?? 2000 },
            removeOnComplete: { age: SWEEP_KEY_SECONDS },
            removeOnFail: { age: SWEEP_KEY_SECONDS },
          },
        );
        pending.set(job.sessionId, jobId);
        hooks.update(job.sessionId, { status: 'queued' });
      }
      await poll(sweep.sweepId, pending, hooks);
    },
    async setBest(sweepId, cut, accuracy) {
      const key = sweepKeys(sweepId).best;
      await redis.multi().hset(key, cut, String(accuracy)).expire(key, SWEEP_KEY_SECONDS).exec();
    },
    async cancel() {
      cancelled = true;
      if (!current) return;
      // Running jobs see the flag (workers look twice a second); waiting ones are taken off the queue.
      await redis.set(sweepKeys(current.sweepId).cancel, '1', 'EX', SWEEP_KEY_SECONDS);
      for (const jobId of current.pending.values()) {
        const job = await Job.fromId(queue, jobId);
        const state = await job?.getState();
        if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) await job.remove().catch(() => undefined);
      }
    },
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}
