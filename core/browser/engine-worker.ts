/**
 * Entry of the engine as a Web Worker of the UI's page (bundled to dist/renderer/engine/engine-worker.js).
 * `?backend=webgl` picks a backend; calls are validated like every other host's. The user's files come
 * from `pruneflow serve` when the page passes its token (`&token=`), from the page when it says it has them
 * (`&files=page`: the desktop app's preload), else there are none.
 */
import { answerCalls } from '../api/rpc.js';
import { FILES_FROM_PAGE, FILES_PARAMETER, type FromEngineWorker, isEngineWorkerCall } from '../api/worker-protocol.js';
import { TOKEN_PARAMETER } from '../api/socket-protocol.js';
import { createBrowserEngine } from './browser-engine.js';
import { pageHostFiles } from './page-host-files.js';
import { servedHostFiles } from './served-host-files.js';

interface WorkerScope {
  location: { href: string };
  postMessage(message: FromEngineWorker): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const here = new URL(scope.location.href);
const token = here.searchParams.get(TOKEN_PARAMETER);
const fromPage = pageHostFiles((message) => scope.postMessage(message));
const engine = createBrowserEngine({
  baseUrl: new URL('./', here).href,
  backend: here.searchParams.get('backend') ?? undefined,
  files: token ? servedHostFiles(here.origin, token) : here.searchParams.get(FILES_PARAMETER) === FILES_FROM_PAGE ? fromPage.files : undefined,
});

const answer = answerCalls(engine, (message) => scope.postMessage(message));
scope.addEventListener('message', ({ data }) => {
  if (fromPage.receive(data) || !isEngineWorkerCall(data)) return;
  answer(data.id, data.call);
});
