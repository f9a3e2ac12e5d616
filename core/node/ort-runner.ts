import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type * as Ort from 'onnxruntime-node';
import type { ForwardEngine, ForwardRunner } from '../backend/forward-runner.js';
import { exportOnnx } from '../models/io/onnx/onnx-export.js';
import { decodeOnnx } from '../models/io/onnx/onnx-proto.js';

type OrtModule = typeof Ort;

export class OnnxRuntimeLoadError extends Error {
  override name = 'OnnxRuntimeLoadError';
}

/**
 * Session options for forward passes: every core for one operator at a time, every graph rewrite unless
 * the graph has a Pad feeding a MaxPool. ONNX Runtime 1.31 (Node) merges a zero Pad into a following
 * MaxPool from the 'basic' level up, and MaxPool's own padding counts as -infinity: wrong wherever the
 * padded values are negative. The Node binding cannot turn that one rewrite off (Python's
 * `disabled_optimizers` has no Node equivalent, and the config key is ignored), so such graphs run
 * unoptimised (test/core/node/ort-runner.test.ts shows the bug and the guard).
 */
export function ortSessionOptions(threads: number, bytes: Uint8Array): Ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: hasPadBeforeMaxPool(bytes) ? 'disabled' : 'all',
  };
}

/** Whether any Pad's output is read by a MaxPool (the pattern ONNX Runtime 1.31's PadFusion gets wrong). */
export function hasPadBeforeMaxPool(bytes: Uint8Array): boolean {
  const nodes = decodeOnnx(bytes, 'forward pass').graph?.node ?? [];
  const padded = new Set(nodes.filter((n) => n.op_type === 'Pad').flatMap((n) => n.output ?? []));
  return nodes.some((n) => n.op_type === 'MaxPool' && (n.input ?? []).some((i) => padded.has(i)));
}

export interface OrtEngineOptions {
  /** Loads onnxruntime-node (injectable: tests give a loader that fails). */
  load?: () => Promise<OrtModule>;
  threads?: number;
}

/**
 * ONNX Runtime (onnxruntime-node, CPU) as a forward engine: the model goes through the ONNX export in
 * memory, channels-last at its edges so the engine's tensors go in and come out as they are.
 */
export function onnxRuntimeEngine({ load = () => import('onnxruntime-node'), threads = availableParallelism() }: OrtEngineOptions = {}): ForwardEngine {
  let module: Promise<OrtModule> | undefined;
  const ort = () =>
    (module ??= load().catch((error: unknown) => {
      throw new OnnxRuntimeLoadError(`onnxruntime-node failed to load (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    }));
  return {
    id: 'onnxruntime',
    async load() {
      const { env } = await ort();
      return `ONNX Runtime ${env.versions?.node ?? ''} (CPU, ${threads} threads) for evaluation, activations, sensitivity and latency`.replace('  ', ' ');
    },
    async open(model, probes) {
      const runtime = await ort();
      const bytes = await exportOnnx(model, { channelsLast: true, probes: [...probes] });
      const session = await runtime.InferenceSession.create(bytes, ortSessionOptions(threads, bytes));
      return ortRunner(runtime, session, model);
    },
  };
}

function ortRunner(runtime: OrtModule, session: Ort.InferenceSession, model: tfl.LayersModel): ForwardRunner {
  const input = session.inputNames[0];
  if (session.inputNames.length !== 1 || model.inputs.length !== 1)
    throw new Error(`model '${model.name}' has ${model.inputs.length} inputs; forward passes on ONNX Runtime take one`);
  return {
    engine: 'onnxruntime',
    async run(x) {
      const data = (await x.data()) as Float32Array;
      const feeds = { [input]: new runtime.Tensor('float32', data, x.shape) };
      const results = await session.run(feeds);
      return session.outputNames.map((name) => {
        const out = results[name];
        const values = out.data as Float32Array;
        return tf.tensor(values, out.dims as number[], 'float32');
      });
    },
    dispose: () => session.release(),
  };
}
