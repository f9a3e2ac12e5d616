/**
 * Every place Pruneflow patches TensorFlow.js or works around its internals, in one folder. TensorFlow.js
 * 4.22 is the last release and its maintainers say they cannot prioritise it, so these patches are written
 * against exactly that version: `assertTfjsVersion` runs when the engine picks its backend and refuses any
 * other, and each patch has a test (test/core/backend/tfjs-compat.test.ts) that fails the day upstream
 * behaves differently. docs/tfjs-exit-plan.md says what the engine needs from a tensor library.
 *
 * - wasm-kernels/: training kernels the wasm backend lacks or runs slowly, registered over the stock ones.
 * - failed-tape.ts: frees the tensors a gradient computation that threw leaves on tfjs-core's tape.
 * - moving-statistics.ts: undoes batch norm's moving statistics that tfjs-layers moves during a forward pass.
 * - depth-multiplier.ts: puts SeparableConv2D's depth_multiplier back into tfjs-layers' toJSON.
 */
import { version_core } from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';

export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm-kernels/index.js';
export { releaseFailedTape } from './failed-tape.js';
export { saveMovingStatistics } from './moving-statistics.js';
export { restoreDepthMultiplier } from './depth-multiplier.js';

/** The one TensorFlow.js version the patches here were written and tested against. */
export const TFJS_VERSION = '4.22.0';

export class TfjsVersionError extends Error {
  override name = 'TfjsVersionError';
}

/** The installed TensorFlow.js packages the engine patches. */
export const INSTALLED_TFJS = { 'tfjs-core': version_core, 'tfjs-layers': version_layers, 'tfjs-backend-wasm': version_wasm, 'tfjs-backend-cpu': version_cpu };

/** Refuses to run on any TensorFlow.js but the one the patches were written for; says which package differs. */
export function assertTfjsVersion(installed: Record<string, string> = INSTALLED_TFJS): void {
  for (const [name, version] of Object.entries(installed)) {
    if (version !== TFJS_VERSION) {
      throw new TfjsVersionError(
        `@tensorflow/${name} is ${version}, but Pruneflow patches TensorFlow.js ${TFJS_VERSION} internals ` +
          `(core/backend/tfjs-compat/); install ${TFJS_VERSION} or port the patches and their tests.`,
      );
    }
  }
}
