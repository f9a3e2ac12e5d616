import * as tf from '@tensorflow/tfjs-core';

interface EngineState {
  activeTape: { saved?: tf.Tensor[] }[] | null;
  gradientDepth: number;
}

/**
 * Frees what a gradient computation that threw left on tfjs's tape. tfjs-core 4.22 keeps the tensors each
 * op saves for the backward pass (kept, so no tidy frees them) and disposes them only after a backward pass;
 * when the forward pass throws (out of memory), the next gradient computation starts a new tape and they
 * leak: 27 tensors for one failed step of the demo CNN. A no-op after a step that succeeded (the tape is gone).
 */
export function releaseFailedTape(): void {
  const state = (tf.engine() as unknown as { state: EngineState }).state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) for (const tensor of node.saved ?? []) tensor.dispose();
  state.activeTape = null;
}
