import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { PruneResult } from '../api/contract.js';
import type { ForwardChooser } from '../backend/forward-runner.js';
import { buildChannelGraph } from '../graph/channel-graph.js';
import { latencyProfile, predictedTimeShare, type TimingEngine } from '../metrics/latency-model.js';

/**
 * The speed-up the cost model of the engine that timed the pair predicts for these widths, for Results to show
 * beside the measurement; undefined where that engine has no measured model (tfjs on a backend other than wasm).
 */
export function estimatedSpeedup(baseline: tfl.LayersModel, pruned: tfl.LayersModel, forward: ForwardChooser): PruneResult['speedEstimate'] {
  const timedOn = [...forward.uses].reverse().find((use) => use.job === 'latency')?.engine;
  // ONNX Runtime Web has no measured profile yet (LATENCY_PROFILES.onnxruntime is onnxruntime-node's, multi-threaded).
  const engine: TimingEngine | undefined =
    timedOn === 'onnxruntime' ? 'onnxruntime' : timedOn !== 'onnxruntime-web' && tf.getBackend() === 'wasm' ? 'wasm' : undefined;
  const profile = latencyProfile(engine);
  if (!profile) return undefined;
  try {
    const share = predictedTimeShare(buildChannelGraph(baseline), { graph: buildChannelGraph(pruned) }, profile);
    return { speedup: 1 / share, engine: profile.engine };
  } catch {
    return undefined; // a graph the tracer cannot read: Results shows the FLOPs estimate
  }
}
