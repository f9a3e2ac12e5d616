/** A thread that decodes image files into records for streamed data sets (see decode-pool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { type InputLimits, setInputLimits } from '../data/input-limits.js';
import { decodeRecord } from '../data/streaming/decode-record.js';
import type { FromDecodeWorker, ToDecodeWorker } from './decode-pool.js';

const port = parentPort;
if (!port) throw new Error('decode-worker.js runs only as a worker thread (see decode-pool.ts)');
setInputLimits((workerData as { limits: InputLimits }).limits);
port.on('message', ({ id, bytes, path, shape }: ToDecodeWorker) => {
  let answer: FromDecodeWorker;
  try {
    const record = decodeRecord(bytes, path, shape);
    // Only the record's own bytes travel (a view of a larger buffer would move all of it).
    answer = { id, record: record.byteOffset === 0 && record.byteLength === record.buffer.byteLength ? record : record.slice() };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    answer = { id, error: { name, message } };
  }
  port.postMessage(answer, 'record' in answer ? [answer.record.buffer as ArrayBuffer] : []);
});
