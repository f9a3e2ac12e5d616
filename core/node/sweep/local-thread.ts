/** A worker thread of the local sweep executor: runs one job at a time, as the executor hands them out. */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../../api/errors.js';
import { createJobRunner, type JobRunnerOptions } from './job-runner.js';
import type { FromSweepThread, ToSweepThread } from './local-protocol.js';

const port = parentPort;
if (!port) throw new Error('local-thread.js runs only as a worker thread (see local-executor.ts)');
const runner = createJobRunner((workerData as JobRunnerOptions | undefined) ?? { host: 'cli' });
const best = new Map<string, number>();
let running: AbortController | undefined;
const post = (message: FromSweepThread) => port.postMessage(message);

port.on('message', (message: ToSweepThread) => {
  if (message.type === 'best') best.set(message.cut, message.accuracy);
  else if (message.type === 'cancel') running?.abort();
  else if (message.type === 'job') void run(message);
});

async function run({ sweepId, job, seed, margin }: Extract<ToSweepThread, { type: 'job' }>): Promise<void> {
  const controller = new AbortController();
  running = controller;
  // Training reports every batch: a line per stage change, else at most four a second.
  let last = { stage: '', at: 0 };
  try {
    const project = await runner.seed(sweepId, async () => seed);
    const outcome = await runner.run(job, sweepId, project, {
      signal: controller.signal,
      margin,
      bestAtCut: async (cut) => best.get(cut),
      onProgress: (progress) => {
        const now = Date.now();
        if (progress.stage === last.stage && now - last.at < 250) return;
        last = { stage: progress.stage, at: now };
        post({ type: 'progress', sessionId: job.sessionId, message: `${progress.stage}: ${progress.message}` });
      },
    });
    post({ type: 'done', outcome });
  } catch (error) {
    post({ type: 'failed', sessionId: job.sessionId, error: serializeError(error), cancelled: controller.signal.aborted });
  } finally {
    running = undefined;
  }
}
