import * as tf from '@tensorflow/tfjs-core';
import type { LatencyModelInfo } from '../api/contract.js';
import { blockReason, latencyProfile, type LatencyProfile, type TimingEngine } from '../metrics/latency-model.js';
import type { RunHost } from './run-inputs.js';

/**
 * The engine that will time a full run's models in this host: ONNX Runtime where the host has it and it loads
 * (the latency job's images repay converting the model, see FORWARD_MIN_IMAGES), else tfjs on its active
 * backend, which has a measured profile only on wasm.
 */
export async function timingEngine(host: Pick<RunHost, 'forwardEngine'>): Promise<TimingEngine | undefined> {
  if (host.forwardEngine?.id === 'onnxruntime') {
    try {
      await host.forwardEngine.load();
      return 'onnxruntime';
    } catch {
      // tfjs times the run instead
    }
  }
  return tf.getBackend() === 'wasm' ? 'wasm' : undefined;
}

const LABELS: Record<TimingEngine, string> = { onnxruntime: 'ONNX Runtime (CPU)', wasm: 'tfjs WebAssembly (XNNPACK)' };

/** The latency model as the wizard shows it: who times the run, its block, and why that rounding is the default. */
export function latencyModelInfo(profile: LatencyProfile | undefined): LatencyModelInfo {
  if (!profile)
    return {
      label: `tfjs ${tf.getBackend()}`,
      block: 1,
      why: `No latency model was measured for the ${tf.getBackend()} backend: the estimate assumes time follows FLOPs, and exact counts are the default.`,
    };
  return { engine: profile.engine, label: LABELS[profile.engine], block: profile.block, why: blockReason(profile) };
}

export { latencyProfile };
