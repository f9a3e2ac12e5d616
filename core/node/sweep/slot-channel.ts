import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { JobRunnerOptions } from './job-runner.js';
import type { FromSweepThread, ToSweepThread } from './local-protocol.js';

/** The compiled job script beside this module; from the TypeScript sources (vitest), the one in dist/. */
export function sweepThreadUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../../dist/core/node/sweep/local-thread.js', here) : new URL('./local-thread.js', here);
}

/** Where a slot's jobs run: a worker thread, or a child process (one pinned to a GPU). Both speak local-protocol.ts. */
export interface SlotChannel {
  post(message: ToSweepThread): void;
  onMessage(listener: (message: FromSweepThread) => void): void;
  /** It ended (crashed, killed, or stopped); `how` says with which exit code or signal. */
  onExit(listener: (how: string) => void): void;
  stop(): Promise<void>;
}

export function threadChannel(threadName: string, runner: JobRunnerOptions): SlotChannel {
  const worker = new Worker(sweepThreadUrl(), { name: threadName, workerData: runner });
  worker.on('error', () => undefined); // 'exit' follows and reports it
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => void worker.on('message', listener),
    onExit: (listener) => void worker.on('exit', (code) => listener(`exit code ${code}`)),
    stop: async () => void (await worker.terminate()),
  };
}

/**
 * A child process running the same script, with CUDA_VISIBLE_DEVICES set to one GPU: CUDA reads the
 * variable once per process, so a GPU worker cannot be a thread. Typed arrays cross as they are ('advanced').
 */
export function processChannel(gpu: string, runner: JobRunnerOptions): SlotChannel {
  const child = fork(sweepThreadUrl(), [JSON.stringify(runner)], {
    serialization: 'advanced',
    // Electron's binary runs the script as plain Node.
    env: { ...process.env, CUDA_VISIBLE_DEVICES: gpu, ...(process.versions.electron && { ELECTRON_RUN_AS_NODE: '1' }) },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('error', () => undefined); // 'exit' follows and reports it
  return {
    post: (message) => void child.send(message),
    onMessage: (listener) => void child.on('message', (message) => listener(message as FromSweepThread)),
    onExit: (listener) => void child.on('exit', (code, signal) => listener(signal ? `signal ${signal}` : `exit code ${code}`)),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill();
      await exited;
    },
  };
}
