import { Worker } from 'node:worker_threads';
import type { SerializedError } from '../../api/contract.js';
import type { SweepJob } from '../../api/sweep.js';
import type { SweepJobOutcome } from '../../session/sweep-job.js';
import type { JobRunnerOptions } from './job-runner.js';
import type { FromSweepThread, ToSweepThread } from './local-protocol.js';

/** The compiled thread script beside this module; from the TypeScript sources (vitest), the one in dist/. */
export function sweepThreadUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../../dist/core/node/sweep/local-thread.js', here) : new URL('./local-thread.js', here);
}

/** A job that did not finish: its error, and whether a cancel ended it. */
export class SweepJobFailure extends Error {
  constructor(
    readonly error: SerializedError,
    readonly cancelled: boolean,
  ) {
    super(`${error.name}: ${error.message}`);
    this.name = error.name;
  }
}

/**
 * One worker thread with its own engine, running one sweep job at a time. The work (tfjs) keeps its
 * thread busy for seconds at a stretch; this one's event loop stays free (BullMQ renews its job lock
 * there). A thread that dies fails its job and the next job starts a fresh one.
 */
export class ThreadSlot {
  #worker: Worker | undefined;
  #job: { sessionId: string; resolve: (o: SweepJobOutcome) => void; reject: (e: SweepJobFailure) => void; onProgress?: (message: string) => void } | undefined;
  readonly #best = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly threadName: string,
    private readonly runner: JobRunnerOptions = { host: 'cli' },
  ) {}

  get busy(): boolean {
    return this.#job !== undefined;
  }

  run(sweepId: string, job: SweepJob, seed: Uint8Array, margin: number | undefined, onProgress?: (message: string) => void): Promise<SweepJobOutcome> {
    if (this.#job) throw new Error(`${this.name} is already running a job`);
    const worker = this.#start();
    return new Promise((resolve, reject) => {
      this.#job = { sessionId: job.sessionId, resolve, reject, onProgress };
      worker.postMessage({ type: 'job', sweepId, job, seed, margin } satisfies ToSweepThread);
    });
  }

  setBest(cut: string, accuracy: number): void {
    if (this.#best.get(cut) === accuracy) return;
    this.#best.set(cut, accuracy);
    this.#worker?.postMessage({ type: 'best', cut, accuracy } satisfies ToSweepThread);
  }

  cancel(): void {
    if (this.#job) this.#worker?.postMessage({ type: 'cancel' } satisfies ToSweepThread);
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(sweepThreadUrl(), { name: this.threadName, workerData: this.runner });
    this.#worker = worker;
    for (const [cut, accuracy] of this.#best) worker.postMessage({ type: 'best', cut, accuracy } satisfies ToSweepThread);
    worker.on('message', (message: FromSweepThread) => {
      const job = this.#job;
      if (!job) return;
      if (message.type === 'progress') job.onProgress?.(message.message);
      else {
        this.#job = undefined;
        if (message.type === 'done') job.resolve(message.outcome);
        else job.reject(new SweepJobFailure(message.error, message.cancelled));
      }
    });
    worker.on('error', () => undefined); // 'exit' follows and reports it
    worker.on('exit', (code) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      const job = this.#job;
      this.#job = undefined;
      job?.reject(new SweepJobFailure({ name: 'EngineCrashedError', message: `${this.name} stopped (exit code ${code}) while running this session` }, false));
    });
    return worker;
  }
}
