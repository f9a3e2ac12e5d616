import { hostname } from 'node:os';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { serializeError } from '../../api/errors.js';
import { SweepJobFailure, ThreadSlot } from './thread-slot.js';
import { encodeOutcome, failureMessage, type QueuedJob, type QueuedOutcome, type QueuedProgress, SWEEP_QUEUE, sweepKeys } from './queue-keys.js';

export interface QueueWorkerOptions {
  url: string;
  /** This machine's path to the projects' data set (default: the path each project names). */
  dataPath?: string;
  /** How this worker shows in progress (default host:pid). */
  name?: string;
  backendFlag?: string;
  /** BullMQ's job lock: renewed while the job runs; a worker gone for this long loses its job (default 30 s). */
  lockMs?: number;
  /** How often stalled jobs (their worker gone) are looked for and put back (default 30 s). */
  stalledMs?: number;
  onLine?: (line: string) => void;
}

export class SweepSeedMissingError extends Error {
  override name = 'SweepSeedMissingError';
}

/**
 * `pruneflow worker`: takes sweep jobs from the queue one at a time and runs them here. It never writes
 * a project: the session goes back as the job's result. Before a sweep's first job it checks its data
 * set's content hash against the project's and refuses the job (a named error) when they differ.
 */
export function startQueueWorker(options: QueueWorkerOptions): { worker: Worker; close(): Promise<void> } {
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const redis = new Redis(options.url, { maxRetriesPerRequest: 3 });
  // The job runs in a thread of its own: this thread stays free to renew the job's lock.
  const slot = new ThreadSlot(name, 'pruneflow-worker', { dataPath: options.dataPath, backendFlag: options.backendFlag, host: 'worker' });
  const say = options.onLine ?? (() => undefined);

  const worker = new Worker<QueuedJob, QueuedOutcome>(
    SWEEP_QUEUE,
    async (job) => {
      const { sweepId, job: sweepJob, margin } = job.data;
      const keys = sweepKeys(sweepId);
      say(`${sweepJob.sessionId} ${sweepJob.name}: started (try ${job.attemptsMade + 1})`);
      let cancelled = false;
      // The cancel flag and the best accuracies per cut (early stop), looked at twice a second.
      const look = async () => {
        const [flag, best] = await Promise.all([redis.get(keys.cancel), redis.hgetall(keys.best)]);
        for (const [cut, accuracy] of Object.entries(best)) slot.setBest(cut, Number(accuracy));
        if (flag && !cancelled) {
          cancelled = true;
          slot.cancel();
        }
      };
      const watch = setInterval(() => void look().catch(() => undefined), 500);
      let last = 0;
      const report = (progress: QueuedProgress) => void job.updateProgress(progress).catch(() => undefined);
      report({ worker: name, message: 'starting' });
      try {
        await look();
        const bytes = await redis.getBuffer(keys.seed);
        if (!bytes)
          throw new SweepSeedMissingError(
            `sweep ${sweepId}: its project is no longer in Redis (the coordinator's keys expired or were deleted); start the sweep again`,
          );
        const outcome = await slot.run(sweepId, sweepJob, new Uint8Array(bytes), margin, (message) => {
          const now = Date.now();
          if (now - last < 500) return;
          last = now;
          report({ worker: name, message });
        });
        say(`${sweepJob.sessionId} ${sweepJob.name}: ${outcome.status}`);
        return encodeOutcome(outcome, name);
      } catch (error) {
        const serialized = error instanceof SweepJobFailure ? error.error : serializeError(error);
        say(`${sweepJob.sessionId} ${sweepJob.name}: ${failureMessage(serialized)}`);
        if (cancelled) throw new UnrecoverableError(failureMessage({ name: 'SweepCancelledError', message: 'the sweep was cancelled' }));
        throw new Error(failureMessage(serialized));
      } finally {
        clearInterval(watch);
      }
    },
    {
      connection: { url: options.url, maxRetriesPerRequest: null },
      concurrency: 1,
      lockDuration: options.lockMs ?? 30_000,
      stalledInterval: options.stalledMs ?? 30_000,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (error) => say(`queue error: ${error.message}`));
  return {
    worker,
    async close() {
      await worker.close();
      await slot.close();
      redis.disconnect();
    },
  };
}
