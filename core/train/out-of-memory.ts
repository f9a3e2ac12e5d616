import * as tf from '@tensorflow/tfjs-core';

/**
 * The messages a backend gives when a batch does not fit in its memory: WebGPU (GPUOutOfMemoryError,
 * Dawn's "Out of memory"), WebGL (gl.OUT_OF_MEMORY as tfjs reports it, textures or buffers it cannot
 * create, a texture larger than the GPU allows), TensorFlow's native backends ("OOM when allocating",
 * ResourceExhausted) and wasm or the JavaScript heap (memory that cannot grow, buffers not allocated).
 */
const OUT_OF_MEMORY = [
  /out of memory/i,
  /OUT_OF_MEMORY/,
  /GPUOutOfMemoryError/,
  /Unable to create WebGL(Texture|Buffer|Framebuffer)/,
  /greater than WebGL maximum/,
  /\bOOM\b/,
  /ResourceExhausted/i,
  /Cannot enlarge memory/i,
  /Maximum memory size exceeded/i,
  /Array buffer allocation failed/i,
  /could not allocate memory/i,
];

/** True when `error` says the device ran out of memory, so a smaller batch may fit. */
export function isOutOfMemoryError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'GPUOutOfMemoryError' || OUT_OF_MEMORY.some((pattern) => pattern.test(error.message));
}

export class DeviceOutOfMemoryError extends Error {
  override name = 'DeviceOutOfMemoryError';
}

/**
 * The batch to retry a step with after it ran out of memory: half of `size`. Says so through `warn`;
 * at a batch of 1 there is nothing left to halve and it gives up with a DeviceOutOfMemoryError.
 */
export function halveBatch(size: number, error: Error, what: string, warn: (message: string) => void): number {
  const backend = tf.getBackend();
  const memory = backend === 'webgl' || backend === 'webgpu' ? 'GPU memory' : 'memory';
  if (size <= 1) {
    throw new DeviceOutOfMemoryError(
      `${what}: even a batch of 1 does not fit in ${memory} on the ${backend} backend ` +
        `(${error.message}). Choose a smaller model or images, or another backend.`,
    );
  }
  const smaller = Math.floor(size / 2);
  warn(`Batch ${size} did not fit in ${memory}; continuing with ${smaller}`);
  return smaller;
}
