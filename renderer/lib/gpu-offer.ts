/** A GPU this window can reach through Chromium, as `probePageGpus` (page-gpu.ts) finds it. */
export interface PageGpu {
  api: 'webgpu' | 'webgl';
  /** As the driver names it. */
  name: string;
  /** Drawn on the CPU (SwiftShader, llvmpipe, a fallback adapter): slower than WebAssembly for training. */
  software: boolean;
}

/**
 * The GPU worth offering: the first one drawn in hardware (WebGPU before WebGL), unless the engine already
 * runs in this window or trains on a GPU of its own (TensorFlow native with CUDA).
 */
export function gpuWorthOffering(hostBackend: string, inPage: boolean, gpus: readonly PageGpu[]): PageGpu | undefined {
  if (inPage || hostBackend === 'node-gpu') return undefined;
  return gpus.find((gpu) => !gpu.software);
}
