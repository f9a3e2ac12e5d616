import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Hdf5Reader } from '../models/io/hdf5-reader.js';
import { type Hdf5Thread, threadHdf5Reader, WASM_OVERHEAD } from '../models/io/hdf5-thread-reader.js';
import type { FromHdf5Worker } from '../models/io/hdf5-worker-side.js';

/** The compiled worker beside this module; from the TypeScript sources (vitest), the one in dist/. */
export function hdf5WorkerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/core/node/hdf5-worker.js', here) : new URL('./hdf5-worker.js', here);
}

const MiB = 2 ** 20;

/**
 * HDF5 read in a worker thread with a deadline and memory caps (see threadHdf5Reader), its JS heap capped
 * too (from `maxUnpackedBytes`); an idle thread does not hold the process open.
 */
export function nodeHdf5Reader({ url = hdf5WorkerUrl(), wasmOverheadBytes = WASM_OVERHEAD }: { url?: URL; wasmOverheadBytes?: number } = {}): Hdf5Reader {
  if (!existsSync(fileURLToPath(url))) throw new Error(`the HDF5 worker ${fileURLToPath(url)} is missing: run npm run build:node`);
  return threadHdf5Reader(
    (maxBytes) => nodeThread(new Worker(url, { name: 'pruneflow-hdf5', resourceLimits: { maxOldGenerationSizeMb: Math.max(256, Math.ceil(maxBytes / MiB)) } })),
    {
      wasmOverheadBytes,
    },
  );
}

function nodeThread(worker: Worker): Hdf5Thread {
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    listen(answer: (message: FromHdf5Worker) => void, failed) {
      const onError = (error: Error & { code?: string }) => failed(error, error.code === 'ERR_WORKER_OUT_OF_MEMORY');
      const onExit = (code: number) => failed(new Error(`the thread exited (code ${code})`), false);
      worker.on('message', answer).on('error', onError).on('exit', onExit);
      return () => void worker.off('message', answer).off('error', onError).off('exit', onExit);
    },
    terminate: () => void worker.terminate(),
    hold: (held) => (held ? worker.ref() : worker.unref()),
  };
}
