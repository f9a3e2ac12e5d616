/** Human names for the engine's backend ids; an unknown id is shown as is. */
const LABELS: Record<string, string> = {
  'node-gpu': 'TensorFlow native, GPU',
  node: 'TensorFlow native, CPU',
  wasm: 'WebAssembly',
  cpu: 'Plain JavaScript',
};

export const backendLabel = (id: string) => LABELS[id] ?? id;
