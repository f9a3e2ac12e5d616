import type { SerializedError } from '../../api/contract.js';
import type { SweepJob } from '../../api/sweep.js';
import type { SweepJobOutcome } from '../../session/sweep-job.js';
import type { JobRunnerOptions } from './job-runner.js';
import type { ToSweepThread } from './local-protocol.js';
import { processChannel, type SlotChannel, threadChannel } from './slot-channel.js';

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
 * One worker thread with its own engine, running one sweep job at a time (or, given a GPU, a process
 * pinned to it). The work (tfjs) keeps its thread busy for seconds at a stretch; this one's event loop
 * stays free (BullMQ renews its job lock there). A worker that dies fails its job and the next job
 * starts a fresh one.
 */
export class ThreadSlot {
  #worker: SlotChannel | undefined;
  #job: { sessionId: string; resolve: (o: SweepJobOutcome) => void; reject: (e: SweepJobFailure) => void; onProgress?: (message: string) => void } | undefined;
  readonly #best = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly threadName: string,
    private readonly runner: JobRunnerOptions = { host: 'cli' },
    /** CUDA_VISIBLE_DEVICES of its process: the GPU it runs on. */
    private readonly gpu?: string,
  ) {}

  get busy(): boolean {
    return this.#job !== undefined;
  }

  run(sweepId: string, job: SweepJob, seed: Uint8Array, margin: number | undefined, onProgress?: (message: string) => void): Promise<SweepJobOutcome> {
    if (this.#job) throw new Error(`${this.name} is already running a job`);
    const worker = this.#start();
    return new Promise((resolve, reject) => {
      this.#job = { sessionId: job.sessionId, resolve, reject, onProgress };
      worker.post({ type: 'job', sweepId, job, seed, margin });
    });
  }

  setBest(cut: string, accuracy: number): void {
    if (this.#best.get(cut) === accuracy) return;
    this.#best.set(cut, accuracy);
    this.#worker?.post({ type: 'best', cut, accuracy });
  }

  cancel(): void {
    if (this.#job) this.#worker?.post({ type: 'cancel' });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.stop();
  }

  #start(): SlotChannel {
    if (this.#worker) return this.#worker;
    const worker = this.gpu === undefined ? threadChannel(this.threadName, this.runner) : processChannel(this.gpu, this.runner);
    this.#worker = worker;
    for (const [cut, accuracy] of this.#best) worker.post({ type: 'best', cut, accuracy } satisfies ToSweepThread);
    worker.onMessage((message) => {
      const job = this.#job;
      if (!job) return;
      if (message.type === 'progress') job.onProgress?.(message.message);
      else {
        this.#job = undefined;
        if (message.type === 'done') job.resolve(message.outcome);
        else job.reject(new SweepJobFailure(message.error, message.cancelled));
      }
    });
    worker.onExit((how) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      const job = this.#job;
      this.#job = undefined;
      job?.reject(new SweepJobFailure({ name: 'EngineCrashedError', message: `${this.name} stopped (${how}) while running this session` }, false));
    });
    return worker;
  }
}
