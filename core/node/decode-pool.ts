import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { inputLimits } from '../data/input-limits.js';
import type { ImageDecoder, RecordShape } from '../data/streaming/decode-record.js';

export interface ToDecodeWorker {
  id: number;
  bytes: Uint8Array;
  path: string;
  shape: RecordShape;
}
export type FromDecodeWorker = { id: number; record: Uint8Array } | { id: number; error: { name: string; message: string } };

/** The compiled worker beside this module; from the TypeScript sources (vitest), the one in dist/. */
export function decodeWorkerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/core/node/decode-worker.js', here) : new URL('./decode-worker.js', here);
}

/** Decoding threads by default: one per core beside the one that trains, at least one, at most four. */
export function defaultDecodeThreads(): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve: (record: Uint8Array) => void; reject: (error: Error) => void }>;
}

/**
 * Image decoding on worker threads (core/data/streaming/decode-record.ts in each): a file's bytes go to the least
 * busy thread and its record comes back, both moved rather than copied. Threads start at the first decode and
 * hold the process open only while they have work; a thread that dies fails its pending decodes, and the next
 * decode starts a new one.
 */
export function nodeDecodePool({ threads = defaultDecodeThreads(), url = decodeWorkerUrl() }: { threads?: number; url?: URL } = {}): ImageDecoder {
  if (!existsSync(fileURLToPath(url))) throw new Error(`the image decoding worker ${fileURLToPath(url)} is missing: run npm run build:node`);
  const pool: (Thread | undefined)[] = Array.from({ length: threads }, () => undefined);
  let next = 0;

  const start = (slot: number): Thread => {
    const worker = new Worker(url, { name: `pruneflow-decode-${slot + 1}`, workerData: { limits: inputLimits() } });
    const thread: Thread = { worker, pending: new Map() };
    worker.unref();
    const fail = (error: Error) => {
      if (pool[slot] === thread) pool[slot] = undefined;
      for (const { reject } of thread.pending.values()) reject(new Error(`an image decoding thread stopped: ${error.message}`));
      thread.pending.clear();
    };
    worker.on('message', (answer: FromDecodeWorker) => {
      const job = thread.pending.get(answer.id);
      if (!job) return;
      thread.pending.delete(answer.id);
      if (thread.pending.size === 0) worker.unref();
      if ('record' in answer) job.resolve(answer.record);
      else job.reject(Object.assign(new Error(answer.error.message), { name: answer.error.name }));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    return (pool[slot] = thread);
  };

  return {
    threads,
    decode(bytes, path, shape) {
      let slot = 0;
      for (let s = 1; s < threads; s++) if ((pool[s]?.pending.size ?? 0) < (pool[slot]?.pending.size ?? 0)) slot = s;
      const thread = pool[slot] ?? start(slot);
      const id = next++;
      // Node's file reads may hand a view of a larger pooled buffer: send only this file's bytes.
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      return new Promise<Uint8Array>((resolve, reject) => {
        thread.pending.set(id, { resolve, reject });
        if (thread.pending.size === 1) thread.worker.ref();
        const message: ToDecodeWorker = { id, bytes: own, path, shape: { height: shape.height, width: shape.width, channels: shape.channels } };
        thread.worker.postMessage(message, [own.buffer as ArrayBuffer]);
      });
    },
    async close() {
      const running = pool.filter((t): t is Thread => t !== undefined);
      pool.fill(undefined);
      await Promise.all(running.map((t) => t.worker.terminate()));
    },
  };
}
