import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendCandidate } from './backend-report.js';
import { registerWasmTrainingKernels } from './tfjs-compat/index.js';

/** Backends that run anywhere JavaScript runs: in Node, in Electron and in a browser worker. */
export const wasmCandidate: BackendCandidate = {
  id: 'wasm',
  async load() {
    registerWasmTrainingKernels();
    if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly module failed to initialise');
    await tf.ready();
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    return [`wasm: SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}`];
  },
};

export const cpuCandidate: BackendCandidate = {
  id: 'cpu',
  async load() {
    if (!(await tf.setBackend('cpu'))) throw new Error('the plain JavaScript backend failed to initialise');
  },
};

export const portableCandidates: readonly BackendCandidate[] = [wasmCandidate, cpuCandidate];
