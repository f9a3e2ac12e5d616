import { Worker } from 'node:worker_threads';
import { imagesPerSecond, median } from './measure.js';
import type { PhaseSpec, WorkerMessage } from './phase-protocol.js';

const WORKER_URL = new URL('./phase-worker.js', import.meta.url);

/** The outcome of one measurement, as the report shows it. */
export interface Measurement {
  status: 'ok' | 'capped' | 'unavailable' | 'failed' | 'skipped';
  /** Median images per second of the timed steps; with `upperBound`, a step never finished and this is a ceiling. */
  imagesPerSecond?: number;
  upperBound?: boolean;
  timedSteps: number;
  warmupSteps: number;
  /** Why it is not a full measurement, or what was done instead. */
  note?: string;
  details?: string[];
  /** Tensors left behind per timed step (0 when the step cleans up after itself). */
  leakedTensorsPerStep?: number;
}

export const skipped = (note: string): Measurement => ({ status: 'skipped', timedSteps: 0, warmupSteps: 0, note });

/** Runs one measurement in a worker thread, killed after `capMs` with whatever steps it finished. */
export function runPhase(spec: PhaseSpec, capMs: number): Promise<Measurement> {
  const batch = spec.kind === 'probe' ? 0 : spec.batch;
  return new Promise((resolve) => {
    const steps: { ms: number; warm: boolean; tensors: number }[] = [];
    let details: string[] = [];
    let ready = false;
    let lastMark = performance.now();
    let settled = false;
    const worker = new Worker(WORKER_URL, { workerData: spec });
    const finish = (measurement: Measurement) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(measurement);
    };
    const summary = (status: Measurement['status'], note?: string): Measurement => {
      const timed = steps.filter((s) => !s.warm);
      const counted = timed.length ? timed : steps;
      const leak = timed.length >= 2 ? (timed[timed.length - 1].tensors - timed[0].tensors) / (timed.length - 1) : undefined;
      return {
        status,
        imagesPerSecond: counted.length ? imagesPerSecond(batch, median(counted.map((s) => s.ms))) : undefined,
        timedSteps: timed.length,
        warmupSteps: steps.length - timed.length,
        note: timed.length || !steps.length ? note : `${note}; only warm-up steps finished, their median shown`,
        details,
        leakedTensorsPerStep: leak,
      };
    };
    const timer = setTimeout(() => {
      const seconds = Math.round(capMs / 1000);
      if (!ready) return finish({ status: 'failed', timedSteps: 0, warmupSteps: 0, note: `did not load and build within ${seconds} s` });
      if (steps.length) return finish(summary('capped', `stopped by the ${seconds} s cap`));
      const running = performance.now() - lastMark;
      finish({
        status: 'capped',
        imagesPerSecond: batch ? imagesPerSecond(batch, running) : undefined,
        upperBound: true,
        timedSteps: 0,
        warmupSteps: 0,
        note: `one step did not finish in ${(running / 1000).toFixed(0)} s (stopped by the ${seconds} s cap)`,
      });
    }, capMs);
    worker.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'ready':
          ready = true;
          details = message.details;
          lastMark = performance.now();
          break;
        case 'step':
          steps.push(message);
          lastMark = performance.now();
          break;
        case 'done':
          finish(summary('ok'));
          break;
        case 'unavailable':
          finish({ status: 'unavailable', timedSteps: 0, warmupSteps: 0, note: message.reason });
          break;
        case 'error':
          finish({ ...summary('failed'), note: message.message });
          break;
      }
    });
    worker.on('error', (error) => finish({ ...summary('failed'), note: error.message }));
    worker.on('exit', (code) => finish({ ...summary('failed'), note: `worker exited (code ${code}) before finishing` }));
  });
}
