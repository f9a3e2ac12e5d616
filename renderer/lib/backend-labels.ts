/** Human names for the engine's backend ids; an unknown id is shown as is. */
const LABELS: Record<string, string> = {
  'node-gpu': 'TensorFlow native, GPU',
  webgpu: 'WebGPU (GPU in this window)',
  webgl: 'WebGL (GPU in this window)',
  node: 'TensorFlow native, CPU',
  wasm: 'WebAssembly',
  cpu: 'Plain JavaScript',
};

export const backendLabel = (id: string) => LABELS[id] ?? id;
