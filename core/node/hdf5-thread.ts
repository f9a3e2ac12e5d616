import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { inputLimits } from '../data/input-limits.js';
import type { Hdf5Reader } from '../models/io/hdf5-reader.js';
import type { Hdf5Request, Hdf5Snapshot } from '../models/io/hdf5-snapshot.js';
import { ModelFileTooComplexError, WasmMemoryError } from '../models/io/model-errors.js';

export interface ToHdf5Worker {
  request: Hdf5Request;
  wasmCapBytes: number;
}
export type FromHdf5Worker = { ready: true } | { snapshot: Hdf5Snapshot } | { capReached: true } | { error: { name: string; message: string } };

/** The compiled worker beside this module; from the TypeScript sources (vitest), the one in dist/. */
export function hdf5WorkerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/core/node/hdf5-worker.js', here) : new URL('./hdf5-worker.js', here);
}

const MiB = 2 ** 20;
/** Room beside the values read out: the HDF5 library's caches and a chunk or two of the file. */
const WASM_OVERHEAD = 256 * MiB;
/** h5wasm's own ceiling (its build's maximum memory). */
const WASM_MAX = 2 ** 31;

/** How long a new thread may take to load h5wasm (not the file's fault, so not its deadline). */
const START_SECONDS = 120;

/** One worker thread with h5wasm loaded (or failed to load). */
interface Reader {
  worker: Worker;
  ready: Promise<void>;
}

/**
 * HDF5 read in a worker thread with a deadline (`inputLimits.maxParseSeconds`, counted once h5wasm is
 * loaded) and memory caps (wasm and JS heap, from `maxUnpackedBytes`): a file that hangs the HDF5 library
 * or claims too much memory ends in ModelFileTooComplexError naming it, and the thread is thrown away.
 * A thread that answered is kept (idle, not holding the process open) for the next read.
 */
export function nodeHdf5Reader({ url = hdf5WorkerUrl(), wasmOverheadBytes = WASM_OVERHEAD }: { url?: URL; wasmOverheadBytes?: number } = {}): Hdf5Reader {
  if (!existsSync(fileURLToPath(url))) throw new Error(`the HDF5 worker ${fileURLToPath(url)} is missing: run npm run build:node`);
  let idle: Reader | undefined;

  const start = (maxBytes: number): Reader => {
    const worker = new Worker(url, { name: 'pruneflow-hdf5', resourceLimits: { maxOldGenerationSizeMb: Math.max(256, Math.ceil(maxBytes / MiB)) } });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`the HDF5 reader thread did not start within ${START_SECONDS} s`)), START_SECONDS * 1000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', fail);
        void worker.terminate();
        reject(error);
      };
      const onMessage = (answer: FromHdf5Worker) => {
        if ('error' in answer) return fail(rebuild(answer.error));
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', fail);
        resolve();
      };
      worker.on('message', onMessage).on('error', fail);
    });
    return { worker, ready };
  };

  const read = (worker: Worker, request: Hdf5Request, file: string, keep: () => void): Promise<Hdf5Snapshot> => {
    const { maxParseSeconds, maxUnpackedBytes } = inputLimits();
    return new Promise<Hdf5Snapshot>((resolve, reject) => {
      const done = (reusable: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (reusable) keep();
        else void worker.terminate();
      };
      const timer = setTimeout(() => {
        done(false);
        reject(new ModelFileTooComplexError(file, 'maxParseSeconds', `reading its HDF5 content took longer than ${maxParseSeconds} s and was stopped`));
      }, maxParseSeconds * 1000);
      const tooBig = () =>
        new ModelFileTooComplexError(
          file,
          'maxUnpackedBytes',
          `reading its HDF5 content needed more memory than the reader may take (${maxUnpackedBytes} bytes of values)`,
        );
      const onMessage = (answer: FromHdf5Worker) => {
        if ('snapshot' in answer) {
          done(true);
          resolve(answer.snapshot);
        } else if ('capReached' in answer) {
          done(false);
          reject(tooBig());
        } else if ('error' in answer) {
          // An HDF5 error leaves the library usable; a wasm trap or an abort does not.
          done(!/^(RuntimeError|CompileError|LinkError)$/.test(answer.error.name) && !answer.error.message.includes('Aborted('));
          reject(rebuild(answer.error));
        }
      };
      const onError = (error: Error & { code?: string }) => {
        done(false);
        reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooBig() : error);
      };
      const onExit = (code: number) => {
        done(false);
        reject(new Error(`the HDF5 reader thread exited (code ${code}) while reading ${file}`));
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      // A copy of just these bytes (a view may sit in a larger buffer, which a clone would copy whole).
      const bytes = request.bytes.slice();
      const message: ToHdf5Worker = { request: { ...request, bytes }, wasmCapBytes: Math.min(WASM_MAX, maxUnpackedBytes + wasmOverheadBytes) };
      worker.postMessage(message, [bytes.buffer]);
    });
  };

  return {
    async snapshot(request: Hdf5Request, file: string): Promise<Hdf5Snapshot> {
      const reader = idle ?? start(inputLimits().maxUnpackedBytes);
      idle = undefined;
      reader.worker.ref();
      await reader.ready;
      return read(reader.worker, request, file, () => {
        if (idle) return void reader.worker.terminate();
        idle = reader;
        reader.worker.unref();
      });
    },
  };
}

/** The worker's error with its name: WasmMemoryError keeps its class (it says what to change). */
function rebuild({ name, message }: { name: string; message: string }): Error {
  const error = Object.assign(new Error(message), { name });
  if (name === 'WasmMemoryError') Object.setPrototypeOf(error, WasmMemoryError.prototype);
  return error;
}
