import type { Hdf5Reader } from '../models/io/hdf5-reader.js';
import { type Hdf5Thread, threadHdf5Reader } from '../models/io/hdf5-thread-reader.js';
import type { FromHdf5Worker } from '../models/io/hdf5-worker-side.js';

/** The parts of a Web Worker the reader uses (no DOM library in core/). */
interface WebWorker {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: { data?: unknown; message?: string }) => void): void;
  removeEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: { data?: unknown; message?: string }) => void): void;
  terminate(): void;
}
type WorkerConstructor = new (url: string, options: { type: 'module'; name: string }) => WebWorker;

/** Whether this page or worker can start Web Workers (Chromium's dedicated workers can, nested). */
export function canStartWebWorkers(): boolean {
  return typeof (globalThis as { Worker?: unknown }).Worker === 'function';
}

/**
 * HDF5 read in a Web Worker of its own (`url`: the bundled hdf5-worker.js) with the deadline and memory cap of
 * every host (threadHdf5Reader): a file that hangs the HDF5 library ends in ModelFileTooComplexError naming it,
 * the worker is terminated, and the engine's thread stays free meanwhile.
 */
export function webHdf5Reader(url: URL): Hdf5Reader {
  const { Worker } = globalThis as unknown as { Worker: WorkerConstructor };
  return threadHdf5Reader(() => webThread(new Worker(url.href, { type: 'module', name: 'pruneflow-hdf5' })));
}

function webThread(worker: WebWorker): Hdf5Thread {
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    listen(answer, failed) {
      const onMessage = (event: { data?: unknown }) => answer(event.data as FromHdf5Worker);
      // A script that does not load or throws, or a message that cannot be read: the thread is of no more use.
      const onError = (event: { message?: string }) => failed(new Error(event.message || 'its script failed to load'), false);
      const onMessageError = () => failed(new Error('a message from it could not be read'), false);
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', onError);
      worker.addEventListener('messageerror', onMessageError);
      return () => {
        worker.removeEventListener('message', onMessage);
        worker.removeEventListener('error', onError);
        worker.removeEventListener('messageerror', onMessageError);
      };
    },
    terminate: () => worker.terminate(),
  };
}
