/**
 * Entry of the engine as a Web Worker of the UI's page (bundled to dist/renderer/engine/engine-worker.js).
 * `?backend=webgl` picks a backend; calls are validated like every other host's.
 */
import { answerCall } from '../api/answer-call.js';
import { type FromEngineWorker, isEngineWorkerCall } from '../api/worker-protocol.js';
import { createBrowserEngine } from './browser-engine.js';

interface WorkerScope {
  location: { href: string };
  postMessage(message: FromEngineWorker): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const here = new URL(scope.location.href);
const engine = createBrowserEngine({ baseUrl: new URL('./', here).href, backend: here.searchParams.get('backend') ?? undefined });

engine.onEvent((event) => scope.postMessage({ type: 'event', event }));
scope.addEventListener('message', ({ data }) => {
  if (!isEngineWorkerCall(data)) return;
  void answerCall(engine, data.call).then((reply) => scope.postMessage({ type: 'reply', id: data.id, reply }));
});
