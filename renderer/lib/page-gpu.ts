/**
 * Which GPU this window could train on through Chromium (WebGPU, WebGL), found without loading the
 * engine: the Engine panel names it and, when the app's engine has no GPU, offers to run there.
 */
import { SOFTWARE_RENDERER } from '../../core/api/software-renderer.js';
import type { PageGpu } from './gpu-offer.js';

interface AdapterLike {
  info?: Record<string, unknown>;
  isFallbackAdapter?: boolean;
}

let probed: Promise<PageGpu[]> | undefined;

/** The GPUs this window reaches; probed once per page (a WebGL context is not free), then remembered. */
export function probePageGpus(): Promise<PageGpu[]> {
  return (probed ??= probeAll());
}

async function probeAll(): Promise<PageGpu[]> {
  const found = [await probeWebGpu(), probeWebGl()];
  return found.filter((gpu): gpu is PageGpu => gpu !== undefined);
}

async function probeWebGpu(): Promise<PageGpu | undefined> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  if (!adapter) return undefined;
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.device, info.description].filter((part) => typeof part === 'string' && part).join(' ');
  const fallback = adapter.isFallbackAdapter ?? info.isFallbackAdapter === true;
  return { api: 'webgpu', name: name || 'a WebGPU adapter without a name', software: fallback || SOFTWARE_RENDERER.test(name) };
}

function probeWebGl(): PageGpu | undefined {
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  if (!gl) return undefined;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  // Give the context back at once: a page may hold only a few.
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { api: 'webgl', name, software: SOFTWARE_RENDERER.test(name) };
}
