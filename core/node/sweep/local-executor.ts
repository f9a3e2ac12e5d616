import type { SweepJob } from '../../api/sweep.js';
import type { ExecutorHooks, SweepExecutor, SweepRun } from '../../session/sweep-coordinator.js';
import { type GpuSource, nodeGpuSource } from './gpus.js';
import { SweepJobFailure, ThreadSlot } from './thread-slot.js';
import { planWorkers, type WorkerCount, type WorkerSlotPlan } from './worker-plan.js';

export interface LocalExecutorOptions {
  /** Worker threads (default one per core), or 'gpu': one process per GPU, pinned to it. */
  workers?: WorkerCount;
  backendFlag?: string;
  /** Where GPUs are found for 'gpu' (default: CUDA_VISIBLE_DEVICES and nvidia-smi). */
  gpus?: GpuSource;
}

/**
 * The default executor: a pool of workers on this machine (threads, one per core unless told; or one
 * process per GPU), each with its own engine, running one job at a time. Results go to the coordinator,
 * which writes them.
 */
export function localExecutor({ workers, backendFlag, gpus = nodeGpuSource }: LocalExecutorOptions = {}): SweepExecutor {
  const slots: ThreadSlot[] = [];
  let plan: Promise<WorkerSlotPlan[]> | undefined;
  let cancelled = false;
  let queue: SweepJob[] = [];
  const best = new Map<string, number>();

  async function drain(slot: ThreadSlot, sweep: SweepRun, hooks: ExecutorHooks): Promise<void> {
    for (let job = queue.shift(); job && !cancelled; job = queue.shift()) {
      const { sessionId } = job;
      hooks.update(sessionId, { status: 'running', worker: slot.name });
      try {
        const outcome = await slot.run(sweep.sweepId, job, sweep.seed, sweep.margin, (message) => hooks.update(sessionId, { message }));
        await hooks
          .complete(outcome, slot.name)
          .catch((error: unknown) => hooks.fail(sessionId, { name: 'SweepWriteError', message: (error as Error).message }, false));
      } catch (error) {
        const failure =
          error instanceof SweepJobFailure ? error : new SweepJobFailure({ name: (error as Error).name, message: (error as Error).message }, false);
        hooks.fail(sessionId, failure.error, failure.cancelled);
      }
    }
  }

  return {
    kind: 'local',
    async run(sweep, hooks) {
      const planned = await (plan ??= planWorkers(workers, gpus));
      queue = [...sweep.jobs];
      const count = Math.max(1, Math.min(planned.length, queue.length));
      for (let i = slots.length; i < count; i++) {
        const slot = new ThreadSlot(planned[i].name, `pruneflow-sweep-${i + 1}`, { host: 'cli', backendFlag }, planned[i].gpu);
        for (const [cut, accuracy] of best) slot.setBest(cut, accuracy);
        slots.push(slot);
      }
      await Promise.all(slots.slice(0, count).map((slot) => drain(slot, sweep, hooks)));
    },
    async setBest(_sweepId, cut, accuracy) {
      best.set(cut, accuracy);
      for (const slot of slots) slot.setBest(cut, accuracy);
    },
    async cancel() {
      cancelled = true;
      queue.splice(0);
      for (const slot of slots) slot.cancel();
    },
    async close() {
      await Promise.all(slots.splice(0).map((s) => s.close()));
    },
  };
}
