import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendCandidate } from '../backend/backend-report.js';
import { portableCandidates } from '../backend/portable-candidates.js';

const require = createRequire(import.meta.url);

/**
 * TensorFlow's native library, through tfjs-node(-gpu). Both are optional dependencies: their install
 * downloads libtensorflow, which fails offline, and npm then leaves them out.
 */
function nativeCandidate(id: 'node-gpu' | 'node', packageName: string): BackendCandidate {
  return {
    id,
    async load() {
      try {
        require.resolve(packageName);
      } catch {
        throw new Error(`not installed (${packageName})`);
      }
      if (id === 'node-gpu' && !hasCudaDriver()) throw new Error('installed, but no CUDA GPU found (no NVIDIA driver loaded)');
      try {
        require(packageName);
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        throw new Error(`installed but failed to load (${message})`);
      }
      if (!(await tf.setBackend('tensorflow'))) throw new Error('loaded but the backend failed to initialise');
    },
  };
}

/** CUDA needs NVIDIA's driver; without it tfjs-node-gpu would quietly run on the CPU. */
function hasCudaDriver(): boolean {
  if (process.platform === 'linux') return existsSync('/proc/driver/nvidia/version');
  if (process.platform === 'win32') {
    return existsSync(join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'nvidia-smi.exe'));
  }
  return false;
}

/** WebGPU and WebGL need Chromium: say where to find them instead of a bare "not available". */
function chromiumOnly(id: 'webgpu' | 'webgl'): BackendCandidate {
  return {
    id,
    async load() {
      throw new Error('runs inside Chromium only: in the app or the browser page, choose "In this window" under "Where the engine runs"');
    },
  };
}

export const nodeCandidates: readonly BackendCandidate[] = [
  nativeCandidate('node-gpu', '@tensorflow/tfjs-node-gpu'),
  chromiumOnly('webgpu'),
  chromiumOnly('webgl'),
  nativeCandidate('node', '@tensorflow/tfjs-node'),
  ...portableCandidates,
];
