import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SweepJob } from '../../api/sweep.js';
import type { ExecutorHooks, SweepExecutor, SweepRun } from '../../session/sweep-coordinator.js';
import type { FromSweepThread, ToSweepThread } from './local-protocol.js';

/** The compiled thread script beside this module; from the TypeScript sources (vitest), the one in dist/. */
export function sweepThreadUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../../dist/core/node/sweep/local-thread.js', here) : new URL('./local-thread.js', here);
}

interface Slot {
  name: string;
  worker: Worker;
  job?: SweepJob;
}

/**
 * The default executor: a pool of worker threads on this machine (one per core unless told), each with
 * its own engine, running one job at a time. A thread that dies fails its job and is replaced.
 */
export function localExecutor({ workers = availableParallelism() }: { workers?: number } = {}): SweepExecutor {
  const slots: Slot[] = [];
  let cancelled = false;
  let queue: SweepJob[] = [];
  let hooks: ExecutorHooks | undefined;
  let finish: (() => void) | undefined;
  let sweep: SweepRun | undefined;
  const best = new Map<string, number>();

  const post = (slot: Slot, message: ToSweepThread) => slot.worker.postMessage(message);

  const settle = () => {
    if (queue.length === 0 && slots.every((s) => !s.job)) finish?.();
  };

  const next = (slot: Slot) => {
    const job = cancelled ? undefined : queue.shift();
    slot.job = job;
    if (!job || !sweep) return settle();
    hooks?.update(job.sessionId, { status: 'running', worker: slot.name });
    post(slot, { type: 'job', sweepId: sweep.sweepId, job, seed: sweep.seed, margin: sweep.margin });
  };

  const spawn = (index: number): Slot => {
    const slot: Slot = { name: `thread ${index + 1}`, worker: new Worker(sweepThreadUrl(), { name: `pruneflow-sweep-${index + 1}` }) };
    for (const [cut, accuracy] of best) post(slot, { type: 'best', cut, accuracy });
    slot.worker.on('message', (message: FromSweepThread) => {
      if (message.type === 'progress') hooks?.update(message.sessionId, { message: message.message });
      else if (message.type === 'done') {
        void hooks?.complete(message.outcome, slot.name).then(() => next(slot), (error: unknown) => {
          hooks?.fail(message.outcome.sessionId, { name: 'SweepWriteError', message: (error as Error).message }, false);
          next(slot);
        });
      } else if (message.type === 'failed') {
        hooks?.fail(message.sessionId, message.error, message.cancelled);
        next(slot);
      }
    });
    slot.worker.on('error', () => undefined); // 'exit' follows and reports it
    slot.worker.on('exit', (code) => {
      const at = slots.indexOf(slot);
      if (at < 0) return;
      if (slot.job) hooks?.fail(slot.job.sessionId, { name: 'EngineCrashedError', message: `${slot.name} stopped (exit code ${code}) while running this session` }, false);
      const fresh = spawn(index);
      slots[at] = fresh;
      next(fresh);
    });
    return slot;
  };

  return {
    kind: 'local',
    run(run, given) {
      sweep = run;
      hooks = given;
      queue = [...run.jobs];
      for (const job of queue) hooks.update(job.sessionId, { status: 'queued' });
      return new Promise<void>((resolve) => {
        finish = resolve;
        const count = Math.max(1, Math.min(workers, queue.length));
        for (let i = slots.length; i < count; i++) slots.push(spawn(i));
        for (const slot of slots) if (!slot.job) next(slot);
        settle();
      });
    },
    async setBest(_sweepId, cut, accuracy) {
      best.set(cut, accuracy);
      for (const slot of slots) post(slot, { type: 'best', cut, accuracy });
    },
    async cancel() {
      cancelled = true;
      for (const job of queue.splice(0)) hooks?.fail(job.sessionId, { name: 'SweepCancelledError', message: 'cancelled before it started' }, true);
      for (const slot of slots) if (slot.job) post(slot, { type: 'cancel' });
      settle();
    },
    async close() {
      const closing = slots.splice(0);
      await Promise.all(closing.map((s) => s.worker.terminate()));
    },
  };
}
