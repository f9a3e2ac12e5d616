import { expandSweep, parseSweepSpec, type RunningSweep, type SweepApi, type SweepEvent, type SweepJobView, sweepIdOf } from '../../api/sweep.js';
import { ProjectNotFoundError } from '../../project/project-errors.js';
import type { ProjectStore } from '../../project/project-store.js';
import { runSweep, type SweepExecutor } from '../../session/sweep-coordinator.js';
import { localExecutor } from './local-executor.js';

export class SweepBusyError extends Error {
  override name = 'SweepBusyError';
}

/**
 * The sweep calls of core/api/sweep.ts on a Node host, for a Sweep screen: plan (the count and which
 * sessions exist), start (local threads or a Redis queue), cancel, events, and the running sweep with
 * every job as it stands (a screen opened later shows it again). One sweep at a time.
 */
export function createSweepService(store: ProjectStore, backendFlag?: string): SweepApi {
  const listeners = new Set<(event: SweepEvent) => void>();
  let running: (Omit<RunningSweep, 'jobs'> & { controller: AbortController; jobs: Map<string, SweepJobView>; done: boolean }) | undefined;
  const emit = (event: SweepEvent) => {
    if (running?.sweepId === event.sweepId) {
      if (event.type === 'sweep-job') running.jobs.set(event.job.sessionId, event.job);
      else running.done = true;
    }
    listeners.forEach((listener) => listener(event));
  };

  return {
    async planSweep(value) {
      const spec = parseSweepSpec(value);
      const project = await store.load(spec.project);
      if (!project) throw new ProjectNotFoundError(`${spec.project}: no such project file`);
      const jobs = await expandSweep(spec, { model: project.baseline.source, data: project.dataset.path });
      const done = new Set(project.sessions.filter((s) => s.record.status === 'done' || s.record.sweep).map((s) => s.record.id));
      return {
        sweepId: await sweepIdOf(spec.project, jobs),
        jobs: jobs.map((j) => ({ sessionId: j.sessionId, name: j.name, existing: done.has(j.sessionId) })),
      };
    },
    async startSweep(value, options = {}) {
      if (running) throw new SweepBusyError(`Sweep ${running.sweepId} is running; cancel it or wait for it to finish.`);
      const spec = parseSweepSpec(value);
      const { sweepId, jobs } = await this.planSweep(spec);
      // BullMQ and ioredis load only for a queue: every Node engine has this service.
      const executor: SweepExecutor = options.queue
        ? (await import('./queue-executor.js')).queueExecutor({ url: options.queue })
        : localExecutor({ workers: options.workers ?? spec.workers, backendFlag });
      const controller = new AbortController();
      running = {
        sweepId,
        spec,
        options,
        executor: executor.kind,
        cancelling: false,
        done: false,
        controller,
        // As planned until the coordinator reports them.
        jobs: new Map(jobs.map((j) => [j.sessionId, { sessionId: j.sessionId, name: j.name, status: 'queued', ...(j.existing && { existing: true }) }])),
      };
      void runSweep(spec, executor, { store, signal: controller.signal, onEvent: emit })
        .catch((error: unknown) =>
          emit({
            type: 'sweep-done',
            sweepId,
            summary: {
              sweepId,
              project: spec.project,
              executor: executor.kind,
              jobs: [],
              written: 0,
              duplicates: 0,
              seconds: 0,
              error: { name: (error as Error).name, message: (error as Error).message },
            },
          }),
        )
        .finally(() => {
          running = undefined;
          void executor.close();
        });
      return { sweepId };
    },
    async cancelSweep(sweepId) {
      if (running?.sweepId !== sweepId) return;
      running.cancelling = true;
      running.controller.abort();
    },
    async runningSweeps() {
      if (!running || running.done) return [];
      const { controller: _controller, done: _done, jobs, ...sweep } = running;
      return [{ ...sweep, jobs: [...jobs.values()] }];
    },
    onSweepEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
