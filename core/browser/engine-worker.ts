/**
 * Entry of the engine as a Web Worker of the UI's page (bundled to dist/renderer/engine/engine-worker.js).
 * `?backend=webgl` picks a backend; calls are validated like every other host's. The user's files come
 * from `pruneflow serve` when the page passes its token (`&token=`), from the page when it says it has them
 * (`&files=page`: the desktop app's preload), else there are none. `&limits=` carries the host's input limits (JSON);
 * `&forward=tfjs` keeps forward passes on tfjs (else ONNX Runtime Web takes those it is faster at).
 */
import { answerCalls } from '../api/rpc.js';
import { FILES_FROM_PAGE, FILES_PARAMETER, FORWARD_PARAMETER, type FromEngineWorker, isEngineWorkerCall, LIMITS_PARAMETER } from '../api/worker-protocol.js';
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
  inputLimits: limitsOf(here.searchParams.get(LIMITS_PARAMETER)),
  forward: here.searchParams.get(FORWARD_PARAMETER) ?? undefined,
  files: token ? servedHostFiles(here.origin, token) : here.searchParams.get(FILES_PARAMETER) === FILES_FROM_PAGE ? fromPage.files : undefined,
});

const answer = answerCalls(engine, (message) => scope.postMessage(message));
scope.addEventListener('message', ({ data }) => {
  if (fromPage.receive(data) || !isEngineWorkerCall(data)) return;
  answer(data.id, data.call);
});

/** The limits the page passed, as an object (setInputLimits keeps only its positive numbers); a malformed one stops the worker, saying why. */
function limitsOf(text: string | null): Record<string, number> {
  const value: unknown = text === null ? {} : JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`the engine's ?${LIMITS_PARAMETER}= is not a JSON object: ${text}`);
  return value as Record<string, number>;
}
