import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildChannelGraph } from '../graph/channel-graph.js';
import { pruneModel } from '../prune/surgery.js';
import type { HistoryStep, WeightSpec } from './project.js';
import { ReplayError } from './project-errors.js';
import { keepOfStep } from './pruning-history.js';

/**
 * Rebuilds a session's pruned architecture: the baseline with each step's channels removed, in order.
 * The weights are the baseline's, sliced; `loadSessionWeights` puts the session's trained ones in.
 * Returns a new model; the baseline is not changed.
 */
export async function replayHistory(baseline: tfl.LayersModel, history: readonly HistoryStep[]): Promise<tfl.LayersModel> {
  let current = baseline;
  try {
    for (const step of history) {
      const graph = buildChannelGraph(current);
      const next = await pruneModel(current, graph, keepOfStep(graph, step));
      if (current !== baseline) current.dispose();
      current = next;
    }
    // Always a model of its own, also for an empty history.
    return current === baseline ? await pruneModel(baseline, buildChannelGraph(baseline), new Map()) : current;
  } catch (error) {
    if (current !== baseline) current.dispose();
    // TensorFlow.js refusing a layer it rebuilds (a damaged config in the project): named, with its reason.
    if (error instanceof Error && /^(Error|ValueError|TypeError|RangeError)$/.test(error.name)) {
      throw new ReplayError(`The session's pruning history cannot be replayed on the baseline: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
}

/** Sets a model's weights from a session's stored ones; every weight must be there with its shape. */
export function loadSessionWeights(model: tfl.LayersModel, specs: readonly WeightSpec[], data: Uint8Array): void {
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const need = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (need !== data.byteLength) throw new ReplayError(`The session's weights hold ${data.byteLength} bytes, their specs need ${need}`);
  // Stored as float32 (4 bytes a value, counted above): any other dtype is a damaged record.
  const odd = specs.find((s) => s.dtype !== 'float32');
  if (odd) throw new ReplayError(`The session's weight '${odd.name}' has dtype ${JSON.stringify(odd.dtype)}, not float32`);
  const named = tf.io.decodeWeights(buffer, specs as tf.io.WeightsManifestEntry[]);
  try {
    model.loadWeights(named, true);
  } catch (error) {
    throw new ReplayError(`The session's weights do not fit the replayed model: ${(error as Error).message}`);
  } finally {
    tf.dispose(Object.values(named));
  }
}
