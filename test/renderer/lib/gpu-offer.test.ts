import { describe, expect, it } from 'vitest';
import { gpuWorthOffering, type PageGpu } from '../../../renderer/lib/gpu-offer.js';

const swiftShader: PageGpu = { api: 'webgl', name: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)', software: true };
const laptopWebGl: PageGpu = { api: 'webgl', name: 'ANGLE (Intel, Intel(R) Iris(R) Xe Graphics Direct3D11 vs_5_0 ps_5_0, D3D11)', software: false };
const laptopWebGpu: PageGpu = { api: 'webgpu', name: 'intel gen-12lp', software: false };

describe('offering the GPU of the window', () => {
  it('offers the first hardware GPU, WebGPU before WebGL, when the engine trains on the CPU', () => {
    expect(gpuWorthOffering('wasm', false, [laptopWebGpu, laptopWebGl])).toBe(laptopWebGpu);
    expect(gpuWorthOffering('node', false, [laptopWebGl])).toBe(laptopWebGl);
  });

  it('offers nothing drawn in software, and nothing when there is no GPU', () => {
    expect(gpuWorthOffering('wasm', false, [swiftShader])).toBeUndefined();
    expect(gpuWorthOffering('wasm', false, [])).toBeUndefined();
  });

  it('offers nothing when the engine already has a GPU or already runs in the window', () => {
    expect(gpuWorthOffering('node-gpu', false, [laptopWebGpu])).toBeUndefined();
    expect(gpuWorthOffering('wasm', true, [laptopWebGpu])).toBeUndefined();
  });
});
