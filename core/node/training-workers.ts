import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromReplica, ReplicaPort, ToReplica } from '../train/data-parallel/protocol.js';
import { type DataParallelOptions, type DataParallelTrainer, startDataParallel } from '../train/data-parallel/trainer.js';

/**
 * The compiled worker beside this module; run from the TypeScript sources (vitest) there is none, so the
 * one `npm run build:node` put in dist/ is used.
 */
export function trainingWorkerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/core/node/training-worker.js', here) : new URL('./training-worker.js', here);
}

/** One replica in a worker thread, with its own engine (own wasm memory, own thread). */
export class NodeReplicaPort implements ReplicaPort {
  readonly worker: Worker;
  /** Resolves with the exit code once the thread is gone, however it ended. */
  readonly exited: Promise<number>;
  private ending = false;
  private failureListeners: ((error: Error) => void)[] = [];

  constructor(url: URL, index: number) {
    this.worker = new Worker(url, { name: `pruneflow-training-${index + 1}` });
    const failed = (error: Error) => !this.ending && this.failureListeners.forEach((listener) => listener(error));
    this.worker.on('error', failed);
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.on('exit', (code) => failed(new Error(`its worker thread exited with code ${code}`)));
  }

  post(message: ToReplica, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(message, transfer);
  }

  onMessage(listener: (message: FromReplica) => void): void {
    this.worker.on('message', listener);
  }

  onFailure(listener: (error: Error) => void): void {
    this.failureListeners.push(listener);
  }

  async terminate(): Promise<void> {
    this.ending = true;
    await this.worker.terminate();
  }
}

/** What fit() needs from the host to train on several replicas: a way to start one. */
export function nodeReplicaSpawner(url = trainingWorkerUrl()): (index: number) => NodeReplicaPort {
  if (!existsSync(fileURLToPath(url))) throw new Error(`the training worker ${fileURLToPath(url)} is missing: run npm run build:node`);
  return (index) => new NodeReplicaPort(url, index);
}

/** Data-parallel training on `replicas` worker threads (default 2, one per core here). */
export function createParallelTrainer(
  options: Omit<DataParallelOptions, 'spawnReplica' | 'replicas'> & { replicas?: number; workerUrl?: URL },
): Promise<DataParallelTrainer> {
  return startDataParallel({ ...options, replicas: options.replicas ?? 2, spawnReplica: nodeReplicaSpawner(options.workerUrl) });
}
