import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type * as Ort from 'onnxruntime-common';
import type { ForwardEngine, ForwardRunner } from './forward-runner.js';
import { exportOnnx } from '../models/io/onnx/onnx-export.js';
import { decodeOnnx } from '../models/io/onnx/onnx-proto.js';

/**
 * What the forward runner needs of an ONNX Runtime binding (onnxruntime-node, onnxruntime-web): each
 * carries its own copy of onnxruntime-common, so tensors must come from the module that runs them.
 */
export interface OrtRuntime {
  InferenceSession: { create(bytes: Uint8Array, options?: Ort.InferenceSession.SessionOptions): Promise<Ort.InferenceSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => Ort.Tensor;
}

export class OnnxRuntimeLoadError extends Error {
  override name = 'OnnxRuntimeLoadError';
}

/** Whether any Pad's output is read by a MaxPool (the pattern ONNX Runtime 1.31's PadFusion gets wrong). */
export function hasPadBeforeMaxPool(bytes: Uint8Array): boolean {
  const nodes = decodeOnnx(bytes, 'forward pass').graph?.node ?? [];
  const padded = new Set(nodes.filter((n) => n.op_type === 'Pad').flatMap((n) => n.output ?? []));
  return nodes.some((n) => n.op_type === 'MaxPool' && (n.input ?? []).some((i) => padded.has(i)));
}

/**
 * Every graph rewrite unless the graph has a Pad feeding a MaxPool. ONNX Runtime 1.31 (the same C++ core
 * in Node and in wasm) merges a zero Pad into a following MaxPool from the 'basic' level up, and MaxPool's
 * own padding counts as -infinity: wrong wherever the padded values are negative. Neither binding can turn
 * that one rewrite off, so such graphs run unoptimised (test/core/node/ort-runner.test.ts and
 * test/browser/page-ort.test.ts show the bug and the guard).
 */
export function ortOptimisation(bytes: Uint8Array): 'disabled' | 'all' {
  return hasPadBeforeMaxPool(bytes) ? 'disabled' : 'all';
}

export interface OrtForwardOptions<R extends OrtRuntime> {
  id: ForwardEngine['id'];
  /** The package's name, for the error when it does not load. */
  packageName: string;
  /** Loads the binding (once; injectable: tests give a loader that fails). */
  load: () => Promise<R>;
  /** The report line, once loaded (version, threads). */
  describe(runtime: R): string;
  sessionOptions(bytes: Uint8Array): Ort.InferenceSession.SessionOptions;
  declines?: ForwardEngine['declines'];
  minImages?: number;
}

/**
 * ONNX Runtime as a forward engine: the model goes through the ONNX export in memory, channels-last at its
 * edges so the engine's tensors go in and come out as they are.
 */
export function ortForwardEngine<R extends OrtRuntime>({
  id,
  packageName,
  load,
  describe,
  sessionOptions,
  declines,
  minImages,
}: OrtForwardOptions<R>): ForwardEngine {
  let module: Promise<R> | undefined;
  const ort = () =>
    (module ??= load().catch((error: unknown) => {
      throw new OnnxRuntimeLoadError(`${packageName} failed to load (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    }));
  return {
    id,
    ...(declines && { declines }),
    ...(minImages !== undefined && { minImages }),
    async load() {
      return describe(await ort());
    },
    async open(model, probes) {
      const runtime = await ort();
      const bytes = await exportOnnx(model, { channelsLast: true, probes: [...probes] });
      const session = await runtime.InferenceSession.create(bytes, sessionOptions(bytes));
      return ortRunner(id, runtime, session, model);
    },
  };
}

function ortRunner(engine: ForwardEngine['id'], runtime: OrtRuntime, session: Ort.InferenceSession, model: tfl.LayersModel): ForwardRunner {
  const input = session.inputNames[0];
  if (session.inputNames.length !== 1 || model.inputs.length !== 1)
    throw new Error(`model '${model.name}' has ${model.inputs.length} inputs; forward passes on ONNX Runtime take one`);
  return {
    engine,
    async run(x) {
      const data = (await x.data()) as Float32Array;
      const feeds = { [input]: new runtime.Tensor('float32', data, x.shape) };
      const results = await session.run(feeds);
      return session.outputNames.map((name) => {
        const out = results[name];
        return tf.tensor(out.data as Float32Array, out.dims as number[], 'float32');
      });
    },
    dispose: () => session.release(),
  };
}
