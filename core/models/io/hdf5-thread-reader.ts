import { inputLimits } from '../../data/input-limits.js';
import type { Hdf5Reader } from './hdf5-reader.js';
import type { Hdf5Request, Hdf5Snapshot } from './hdf5-snapshot.js';
import type { FromHdf5Worker, ToHdf5Worker } from './hdf5-worker-side.js';
import { ModelFileTooComplexError, WasmMemoryError } from './model-errors.js';

/**
 * A thread running hdf5-worker-side.ts, as its host starts it: a Node worker thread (core/node/hdf5-thread.ts)
 * or a Web Worker (core/browser/web-hdf5-reader.ts). Only what the deadline needs.
 */
export interface Hdf5Thread {
  post(message: ToHdf5Worker, transfer: ArrayBuffer[]): void;
  /**
   * Calls `answer` with each message, `failed` when the thread fails (its script did not load, it ran out
   * of its memory: `outOfMemory`, it exited); returns what stops listening.
   */
  listen(answer: (message: FromHdf5Worker) => void, failed: (error: Error, outOfMemory: boolean) => void): () => void;
  terminate(): void;
  /** Whether the thread may keep its host alive (Node: ref/unref); an idle one may not. */
  hold?(held: boolean): void;
}

const MiB = 2 ** 20;
/** Room beside the values read out: the HDF5 library's caches and a chunk or two of the file. */
export const WASM_OVERHEAD = 256 * MiB;
/** h5wasm's own ceiling (its build's maximum memory). */
const WASM_MAX = 2 ** 31;
/** How long a new thread may take to load h5wasm (not the file's fault, so not its deadline). */
const START_SECONDS = 120;

/** One thread with h5wasm loaded (or failed to load). */
interface Reader {
  thread: Hdf5Thread;
  ready: Promise<void>;
}

/**
 * HDF5 read in a thread of its own with a deadline (`inputLimits.maxParseSeconds`, counted once h5wasm is
 * loaded) and a WebAssembly memory cap (from `maxUnpackedBytes`; the host may cap the thread's JS heap too):
 * a file that hangs the HDF5 library or claims too much memory ends in ModelFileTooComplexError naming it,
 * and the thread is thrown away. A thread that answered is kept (idle, not holding its host open) for the
 * next read. `start` makes a new thread, given the bytes of values it may copy out.
 */
export function threadHdf5Reader(start: (maxValueBytes: number) => Hdf5Thread, { wasmOverheadBytes = WASM_OVERHEAD } = {}): Hdf5Reader {
  let idle: Reader | undefined;

  const launch = (maxBytes: number): Reader => {
    const thread = start(maxBytes);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`the HDF5 reader thread did not start within ${START_SECONDS} s`)), START_SECONDS * 1000);
      const stop = thread.listen(
        (answer) => {
          if ('error' in answer) return fail(rebuild(answer.error));
          clearTimeout(timer);
          stop();
          resolve();
        },
        (error) => fail(error),
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        stop();
        thread.terminate();
        reject(error);
      };
    });
    return { thread, ready };
  };

  const read = (thread: Hdf5Thread, request: Hdf5Request, file: string, keep: () => void): Promise<Hdf5Snapshot> => {
    const { maxParseSeconds, maxUnpackedBytes } = inputLimits();
    return new Promise<Hdf5Snapshot>((resolve, reject) => {
      const tooBig = () =>
        new ModelFileTooComplexError(
          file,
          'maxUnpackedBytes',
          `reading its HDF5 content needed more memory than the reader may take (${maxUnpackedBytes} bytes of values)`,
        );
      const stop = thread.listen(
        (answer) => {
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
        },
        (error, outOfMemory) => {
          done(false);
          reject(outOfMemory ? tooBig() : new Error(`the HDF5 reader thread failed while reading ${file}: ${error.message}`));
        },
      );
      const timer = setTimeout(() => {
        done(false);
        reject(new ModelFileTooComplexError(file, 'maxParseSeconds', `reading its HDF5 content took longer than ${maxParseSeconds} s and was stopped`));
      }, maxParseSeconds * 1000);
      const done = (reusable: boolean) => {
        clearTimeout(timer);
        stop();
        if (reusable) keep();
        else thread.terminate();
      };
      // A copy of just these bytes (a view may sit in a larger buffer, which a clone would copy whole).
      const bytes = request.bytes.slice();
      thread.post({ request: { ...request, bytes }, wasmCapBytes: Math.min(WASM_MAX, maxUnpackedBytes + wasmOverheadBytes) }, [bytes.buffer]);
    });
  };

  return {
    async snapshot(request: Hdf5Request, file: string): Promise<Hdf5Snapshot> {
      const reader = idle ?? launch(inputLimits().maxUnpackedBytes);
      idle = undefined;
      reader.thread.hold?.(true);
      await reader.ready;
      return read(reader.thread, request, file, () => {
        if (idle) return reader.thread.terminate();
        idle = reader;
        reader.thread.hold?.(false);
      });
    },
  };
}

/** The thread's error with its name: WasmMemoryError keeps its class (it says what to change). */
function rebuild({ name, message }: { name: string; message: string }): Error {
  const error = Object.assign(new Error(message), { name });
  if (name === 'WasmMemoryError') Object.setPrototypeOf(error, WasmMemoryError.prototype);
  return error;
}
