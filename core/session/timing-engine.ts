import * as tf from '@tensorflow/tfjs-core';
import type { LatencyModelInfo } from '../api/contract.js';
import { FORWARD_MIN_IMAGES } from '../backend/forward-runner.js';
import { latencyImages, latencyRuns } from '../metrics/latency.js';
import { blockReason, latencyProfile, type LatencyProfile, type TimingEngine } from '../metrics/latency-model.js';
import type { ChannelGraph } from '../graph/channel-graph.js';
import { defaultRounding } from '../prune/default-rounding.js';
import type { RunHost } from './run-inputs.js';

/**
 * The engine that will time a run's models in this host: ONNX Runtime where the host has it, it loads and the
 * latency job's images repay converting the model (a full run's do, a quick trial's do not: FORWARD_MIN_IMAGES),
 * else tfjs on its active backend, which has a measured profile only on wasm.
 */
export async function timingEngine(host: Pick<RunHost, 'forwardEngine'>, quickTrial = false): Promise<TimingEngine | undefined> {
  if (host.forwardEngine?.id === 'onnxruntime' && latencyImages(latencyRuns(quickTrial)) >= FORWARD_MIN_IMAGES) {
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

/** Who times a run, in words. */
function labelOf(profile: LatencyProfile | undefined): string {
  return profile ? LABELS[profile.engine] : `tfjs ${tf.getBackend()}`;
}

/**
 * The latency model as the wizard shows it: who times the run, its block, and why that rounding is the default.
 * `fullRun`: the profile a full run would time on; where a quick trial's engine differs, the info says so.
 */
export function latencyModelInfo(profile: LatencyProfile | undefined, fullRun: LatencyProfile | undefined = profile): LatencyModelInfo {
  const info: LatencyModelInfo = profile
    ? { engine: profile.engine, label: labelOf(profile), block: profile.block, why: blockReason(profile) }
    : {
        label: labelOf(profile),
        block: 1,
        why: `No latency model was measured for the ${tf.getBackend()} backend: the estimate assumes time follows FLOPs, and exact counts are the default.`,
      };
  if (fullRun?.engine === profile?.engine) return info;
  const trial =
    `A quick trial times ${latencyImages(latencyRuns(true))} images, too few to repay converting the model to ${labelOf(fullRun)} ` +
    `(${FORWARD_MIN_IMAGES} do): ${info.label} times it, and the estimate is that engine's.`;
  return { ...info, fullRun: labelOf(fullRun), why: `${trial} ${info.why}` };
}

/** The rounding of kept channels a run without one uses: the block of the engine that will time it, fitted to the model's narrowest group. */
export async function defaultRoundTo(host: Pick<RunHost, 'forwardEngine'>, graph: ChannelGraph, quickTrial = false): Promise<number> {
  return defaultRounding(graph, latencyProfile(await timingEngine(host, quickTrial))?.block).roundTo;
}

export { latencyProfile };
