import { availableParallelism } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import type { ForwardEngine } from '../backend/forward-runner.js';
import { ortForwardEngine, ortOptimisation } from '../backend/ort-forward.js';

export { hasPadBeforeMaxPool, OnnxRuntimeLoadError } from '../backend/ort-forward.js';

type OrtModule = typeof Ort;

/**
 * Session options for forward passes: every core for one operator at a time, every graph rewrite unless the
 * graph has a Pad feeding a MaxPool (ortOptimisation: ONNX Runtime 1.31's PadFusion bug; the Node binding
 * cannot turn that one rewrite off, Python's `disabled_optimizers` has no Node equivalent). Idle threads sleep
 * instead of spinning: a latency pair alternates two sessions, and each one's spinning pool took the cores from
 * the other (ResNet-20 at batch 64: 29-33 ms with quartiles of +-25%, against 18-21 ms within +-3% without). A lone
 * session at batch 128 runs as fast either way; at batch 1 sleeping costs it 25-35%, but no job here runs batch 1.
 */
export function ortSessionOptions(threads: number, bytes: Uint8Array): Ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: ortOptimisation(bytes),
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

export interface OrtEngineOptions {
  /** Loads onnxruntime-node (injectable: tests give a loader that fails). */
  load?: () => Promise<OrtModule>;
  threads?: number;
}

/** ONNX Runtime (onnxruntime-node, CPU) as a forward engine (core/backend/ort-forward.ts). */
export function onnxRuntimeEngine({ load = () => import('onnxruntime-node'), threads = availableParallelism() }: OrtEngineOptions = {}): ForwardEngine {
  return ortForwardEngine({
    id: 'onnxruntime',
    packageName: 'onnxruntime-node',
    load,
    describe: ({ env }) =>
      `ONNX Runtime ${env.versions?.node ?? ''} (CPU, ${threads} threads) for evaluation, activations, sensitivity and latency`.replace('  ', ' '),
    sessionOptions: (bytes) => ortSessionOptions(threads, bytes),
  });
}
