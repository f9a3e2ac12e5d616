import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import type { BackendCandidate } from './backend-report.js';
import { portableCandidates } from './portable-candidates.js';
import { SOFTWARE_RENDERER } from '../api/software-renderer.js';

/** The slice of the WebGPU API read here; typed locally because core compiles without DOM types. */
interface GpuLike {
  requestAdapter(): Promise<{ info?: Record<string, string | boolean>; isFallbackAdapter?: boolean } | null>;
}

/**
 * WebGPU, where Chromium offers an adapter. tfjs asks for its own adapter; asking first only gives a
 * clear reason when there is none (headless Chromium without a GPU, an old driver).
 */
export const webgpuCandidate: BackendCandidate = {
  id: 'webgpu',
  async load(options) {
    const forced = options?.forced ?? false;
    const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
    if (!gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new Error('WebGPU is present but offers no GPU adapter');
    const fallback = adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter === true;
    if (fallback && !forced) throw new Error('WebGPU offers only a software adapter, slower than wasm');
    if (!(await tf.setBackend('webgpu'))) throw new Error('the WebGPU backend failed to initialise');
    await tf.ready();
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
    return [`webgpu: ${name || 'adapter without a name'}`];
  },
};

/** WebGL 2 (or 1): every GPU Chromium can draw with, and SwiftShader in software where there is none. */
export const webglCandidate: BackendCandidate = {
  id: 'webgl',
  async load(options) {
    const forced = options?.forced ?? false;
    if (!(await tf.setBackend('webgl'))) throw new Error('WebGL is not available in this browser');
    await tf.ready();
    const renderer = glRenderer() ?? 'unknown GPU';
    if (SOFTWARE_RENDERER.test(renderer) && !forced) throw new Error(`WebGL is drawn in software here (${renderer}), slower than wasm`);
    const version = tf.env().getNumber('WEBGL_VERSION');
    const float32 = tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE');
    return [`webgl ${version}: ${renderer}${float32 ? '' : ', 16-bit floats only'}`];
  },
};

/** The GPU's name as the driver gives it (WEBGL_debug_renderer_info), if the browser allows it. */
function glRenderer(): string | undefined {
  type Gl = { getExtension(name: string): { UNMASKED_RENDERER_WEBGL: number } | null; getParameter(p: number): unknown };
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: Gl } }).gpgpu?.gl;
  const extension = gl?.getExtension('WEBGL_debug_renderer_info');
  const name = extension && gl?.getParameter(extension.UNMASKED_RENDERER_WEBGL);
  return typeof name === 'string' ? name : undefined;
}

/** What an engine inside Chromium can try, best first. */
export const browserCandidates: readonly BackendCandidate[] = [webgpuCandidate, webglCandidate, ...portableCandidates];
