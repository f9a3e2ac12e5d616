/**
 * A worker of the local sweep executor: runs one job at a time, as the executor hands them out. A worker
 * thread (its options in workerData), or a child process pinned to a GPU (its options as the argument).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../../api/errors.js';
import { createJobRunner, type JobRunnerOptions } from './job-runner.js';
import type { FromSweepThread, ToSweepThread } from './local-protocol.js';

/** The executor's end: the thread's parent port, or the parent process's IPC channel. */
interface Port {
  post(message: FromSweepThread): void;
  onMessage(listener: (message: ToSweepThread) => void): void;
}

const thread = parentPort;
const port: Port | undefined = thread
  ? { post: (message) => thread.postMessage(message), onMessage: (listener) => void thread.on('message', listener) }
  : process.send
    ? processPort()
    : undefined;
if (!port) throw new Error('local-thread.js runs only as a worker thread or a forked process (see slot-channel.ts)');
const options = thread ? (workerData as JobRunnerOptions | undefined) : (JSON.parse(process.argv[2] ?? '{}') as JobRunnerOptions);
const runner = createJobRunner(options ?? { host: 'cli' });
const best = new Map<string, number>();
let running: AbortController | undefined;
const post = (message: FromSweepThread) => port.post(message);

port.onMessage((message) => {
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

/** The parent process's IPC channel; the process ends with its parent. */
function processPort(): Port {
  process.on('disconnect', () => process.exit(0));
  return {
    post: (message) => void process.send!(message),
    onMessage: (listener) => void process.on('message', (message) => listener(message as ToSweepThread)),
  };
}
