import { env } from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/**
 * Points tfjs's wasm backend at its files beside the engine's script (wasm/: build/engine-files.mjs) and keeps it
 * on its one-thread build. In a cross-origin isolated page tfjs-backend-wasm would take its threaded build
 * (its WASM_HAS_MULTITHREAD_SUPPORT flag turns true once SharedArrayBuffer can be posted): that .wasm is not
 * shipped, and its threads start from blob: URLs, which the page's CSP (`worker-src 'self'`) refuses. The
 * threads go to ONNX Runtime Web instead (web-ort-runner.ts). Call before the wasm backend initialises.
 */
export function useBundledTfjsWasm(baseUrl: string): void {
  setWasmPaths(new URL('wasm/', baseUrl).href);
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
}
