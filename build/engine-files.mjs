// The files the page engine fetches beside its script, copied by every build of an engine worker
// (build/vite.engine-worker.config.ts, and the forward-pass harness of test/browser/forward-harness.ts):
// tfjs's wasm backend in wasm/, ONNX Runtime Web's wasm build (glue and binary, loaded at run time) in ort/.
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fromRoot = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** ONNX Runtime Web's CPU build: the glue module it imports at run time and the binary the glue fetches. */
export const ORT_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];

/**
 * Package conditions for the engine worker's bundle: onnxruntime-web's 'extern-wasm' entry leaves the .wasm
 * out of the bundle (its default entry would inline 15 MB of it as base64), to be fetched from ort/.
 */
export const ORT_CONDITIONS = ['onnxruntime-web-use-extern-wasm'];

/** Copies the wasm backends' files into `outDir` (wasm/ and ort/). */
export function copyEngineFiles(outDir) {
  for (const file of ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'])
    cpSync(fromRoot(`node_modules/@tensorflow/tfjs-backend-wasm/dist/${file}`), `${outDir}/wasm/${file}`);
  for (const file of ORT_FILES) cpSync(fromRoot(`node_modules/onnxruntime-web/dist/${file}`), `${outDir}/ort/${file}`);
}
