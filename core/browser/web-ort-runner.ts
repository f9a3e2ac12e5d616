import type * as tfl from '@tensorflow/tfjs-layers';
import type * as OrtWeb from 'onnxruntime-web/wasm';
import type { ForwardEngine } from '../backend/forward-runner.js';
import { ortForwardEngine, ortOptimisation } from '../backend/ort-forward.js';

type OrtWebModule = typeof OrtWeb;

export interface WorkerGlobals {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

export interface WebOrtEngineOptions {
  /** Where the engine's script lies; ONNX Runtime's glue and .wasm sit in ort/ beside it (build/vite.engine-worker.config.ts). */
  baseUrl: string;
  /** Loads onnxruntime-web (injectable: tests give a loader that fails). */
  load?: () => Promise<OrtWebModule>;
  /** Why tfjs on a backend is faster (the chooser then keeps tfjs); by default `webOrtDeclines`. */
  declines?: ForwardEngine['declines'];
  /** Threads for ONNX Runtime; by default `webOrtThreads()` (the bench sets 1, then every core up to 4). */
  threads?: number;
}

/**
 * Threads ONNX Runtime Web may use here: where the page is cross-origin isolated (`pruneflow serve` and the app's
 * app:// protocol send COOP and COEP; its pthreads are workers of ort/ort-wasm-simd-threaded.mjs, allowed by
 * `worker-src 'self'`), half the cores, at most 4 (ONNX Runtime Web's own default), else 1 (no SharedArrayBuffer).
 * Not every core: on 2 busy cores (load 5-8) `npm run bench:browser-forward` measured 2 threads at 0.3-1.0x the
 * speed of 1 (docs/benchmarks.md, section browser-forward); the page's UI and the engine's tfjs need the rest.
 */
export function webOrtThreads(scope: WorkerGlobals = globalThis as WorkerGlobals): number {
  return scope.crossOriginIsolated ? Math.max(1, Math.min(4, Math.ceil((scope.navigator?.hardwareConcurrency ?? 1) / 2))) : 1;
}

/**
 * Images below which converting a model for ONNX Runtime Web does not pay off: `npm run bench:browser-forward`
 * measured 2-5 s of export and session for the CIFAR networks, repaid on MobileNetV2 after 190-660 images
 * (three runs on a loaded machine); rounded up.
 */
export const WEB_ORT_MIN_IMAGES = 1000;

/**
 * Where ONNX Runtime Web (wasm, one thread: as webOrtThreads gives on 2 cores) does not beat tfjs in the page,
 * from `npm run bench:browser-forward` (docs/benchmarks.md, section browser-forward): tfjs on a GPU backend is not
 * measured against it; on wasm, plain convolution networks (ResNet-20, small VGG) run as fast or faster on tfjs's
 * XNNPACK (ONNX Runtime Web at 0.5-1.2x), while models with depthwise convolutions (MobileNetV2) run 1.3-2.1x faster on ONNX Runtime Web.
 */
export function webOrtDeclines(tfjsBackend: string, model?: tfl.LayersModel): string | undefined {
  if (tfjsBackend !== 'wasm') return `not measured against tfjs ${tfjsBackend}; ONNX Runtime Web runs on the CPU only`;
  if (model && !model.layers.some((layer) => layer.getClassName() === 'DepthwiseConv2D'))
    return 'no depthwise convolutions: tfjs wasm (XNNPACK) is as fast on plain convolutions (npm run bench:browser-forward)';
  return undefined;
}

/**
 * ONNX Runtime Web (onnxruntime-web/wasm, CPU) as the page engine's forward engine: the model goes through the
 * ONNX export in memory (core/backend/ort-forward.ts). Threads where the page is cross-origin isolated
 * (webOrtThreads); tfjs's wasm backend keeps one (bundled-tfjs-wasm.ts).
 */
export function webOnnxRuntimeEngine({
  baseUrl,
  load = () => import('onnxruntime-web/wasm'),
  declines = webOrtDeclines,
  threads = webOrtThreads(),
}: WebOrtEngineOptions): ForwardEngine {
  return ortForwardEngine({
    id: 'onnxruntime-web',
    packageName: 'onnxruntime-web',
    declines,
    minImages: WEB_ORT_MIN_IMAGES,
    load: async () => {
      const ort = await load();
      // Bundled, ONNX Runtime cannot find its glue and .wasm on its own; we are a worker already, so no proxy worker.
      ort.env.wasm.wasmPaths = new URL('ort/', baseUrl).href;
      ort.env.wasm.proxy = false;
      ort.env.wasm.numThreads = threads;
      return ort;
    },
    describe: ({ env }) =>
      `ONNX Runtime Web ${env.versions.web ?? ''} (wasm, ${threads} thread${threads === 1 ? '' : 's'}) for evaluation, activations, sensitivity and latency ` +
      'of models with depthwise convolutions (tfjs wasm is as fast on plain convolutions)',
    sessionOptions: (bytes) => ({ executionProviders: ['wasm'], executionMode: 'sequential', graphOptimizationLevel: ortOptimisation(bytes) }),
  });
}
