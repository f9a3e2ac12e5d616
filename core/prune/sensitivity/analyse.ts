import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '../../data/batches.js';
import { type ForwardChooser, tfjsRunner } from '../../backend/forward-runner.js';
import type { ChannelGraph, ChannelGroup } from '../../graph/channel-graph.js';
import { applyChannelMask, maskedLayers } from '../channel-mask.js';
import { trialKept } from './select-ratios.js';
import type { SensitivityRow, SensitivityTable } from './sensitivity-table.js';

export const DEFAULT_SENSITIVITY_RATIOS: readonly number[] = [0.25, 0.5, 0.75];

export interface SensitivityProgress {
  /** Trials done, counting the baseline as the first. */
  step: number;
  total: number;
  /** The group just measured (undefined for the baseline). */
  group?: number;
  ratio?: number;
  accuracy: number;
}

export interface SensitivityOptions {
  signal?: AbortSignal;
  onProgress?: (progress: SensitivityProgress) => void;
  /** Picks the engine for each trial's passes (each trial's weights differ, so each converts anew); tfjs without. */
  forward?: ForwardChooser;
}

export class SensitivityError extends Error {
  override name = 'SensitivityError';
}

/**
 * Prunes each prunable group alone at each ratio, in mask mode (its lowest-scored channels silenced, the
 * shapes unchanged), and measures top-1 accuracy on `evalBatches`. After every trial the touched weights
 * are put back exactly, so the model leaves as it came. Cancellable between trials and batches.
 */
export async function analyseSensitivity(
  model: tfl.LayersModel,
  graph: ChannelGraph,
  scores: ReadonlyMap<number, Float32Array>,
  evalBatches: readonly Batch[],
  ratios: readonly number[] = DEFAULT_SENSITIVITY_RATIOS,
  { signal, onProgress, forward }: SensitivityOptions = {},
): Promise<SensitivityTable> {
  checkRatios(ratios);
  if (evalBatches.length === 0) throw new SensitivityError('A sensitivity analysis needs at least one batch of evaluation images');
  const groups = graph.groups.filter((g) => g.prunable && scores.has(g.id));
  const total = 1 + groups.length * ratios.length;
  let step = 0;
  const baseline = await batchAccuracy(model, evalBatches, signal, forward);
  onProgress?.({ step: ++step, total, accuracy: baseline });
  const rows: SensitivityRow[] = [];
  for (const group of groups) {
    const ranked = rankChannels(scores.get(group.id)!);
    const trials = [];
    for (const ratio of ratios) {
      const kept = trialKept(group.channels, ratio);
      // A group too small to lose a channel at this ratio is the baseline model: no need to measure it.
      const accuracy = kept === group.channels ? baseline : await maskedAccuracy(model, graph, group, ranked.slice(0, kept), evalBatches, signal, forward);
      trials.push({ ratio, kept, accuracy, drop: baseline - accuracy });
      onProgress?.({ step: ++step, total, group: group.id, ratio, accuracy });
    }
    rows.push({ group: group.id, layers: [...group.producers], channels: group.channels, trials });
  }
  return { baseline, images: evalBatches.reduce((n, b) => n + b.size, 0), ratios: [...ratios], rows };
}

function checkRatios(ratios: readonly number[]): void {
  if (ratios.length === 0) throw new SensitivityError('A sensitivity analysis needs at least one ratio');
  ratios.forEach((r, i) => {
    if (!(r > 0 && r < 1)) throw new SensitivityError(`Sensitivity ratios must be between 0 and 1 (exclusive), got ${r}`);
    if (i > 0 && r <= ratios[i - 1]) throw new SensitivityError(`Sensitivity ratios must be ascending without repeats, got ${ratios.join(', ')}`);
  });
}

/** Channel indices, best first; ties go to the lower index, as the budget ranks them. */
function rankChannels(values: Float32Array): number[] {
  return Array.from(values.keys()).sort((a, b) => values[b] - values[a] || a - b);
}

async function maskedAccuracy(
  model: tfl.LayersModel,
  graph: ChannelGraph,
  group: ChannelGroup,
  kept: number[],
  batches: readonly Batch[],
  signal?: AbortSignal,
  forward?: ForwardChooser,
): Promise<number> {
  const restore = snapshot(model, graph, group);
  try {
    applyChannelMask(model, graph, new Map([[group.id, Int32Array.from(kept).sort()]]));
    return await batchAccuracy(model, batches, signal, forward);
  } finally {
    restore();
  }
}

/**
 * Copies of everything mask mode may change for one group: the weights and index maps of the layers that
 * read it (channel-mask.ts). Returns the function that puts them back.
 */
function snapshot(model: tfl.LayersModel, graph: ChannelGraph, group: ChannelGroup): () => void {
  const layers = maskedLayers(graph, [group.id]).map((name) => model.getLayer(name));
  // getWeights() hands out the live variables: keep clones, since masking writes new values into them.
  const saved = layers.map((layer) => layer.getWeights().map((w) => w.clone()));
  const shortcuts = layers
    .filter((l) => l.getClassName() === 'ZeroPadShortcut')
    .map((l) => l as unknown as { sourceChannels?: number[] })
    .map((layer) => ({ layer, sourceChannels: layer.sourceChannels }));
  return () => {
    layers.forEach((layer, i) => layer.setWeights(saved[i]));
    tf.dispose(saved.flat());
    for (const { layer, sourceChannels } of shortcuts) layer.sourceChannels = sourceChannels;
  };
}

/** Top-1 accuracy on prepared batches, in inference mode. */
async function batchAccuracy(model: tfl.LayersModel, batches: readonly Batch[], signal?: AbortSignal, forward?: ForwardChooser): Promise<number> {
  const images = batches.reduce((n, b) => n + b.size, 0);
  const runner = forward ? await forward.open('sensitivity', model, { images }) : tfjsRunner(model);
  let correct = 0;
  let count = 0;
  try {
    for (const batch of batches) {
      signal?.throwIfAborted();
      const outputs = await runner.run(batch.x);
      let hits: tf.Tensor;
      try {
        hits = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(outputs[0], 1), tf.argMax(batch.y, 1)), 'float32')));
      } finally {
        tf.dispose(outputs);
      }
      correct += (await hits.data())[0];
      hits.dispose();
      count += batch.size;
      // Between batches, let a cancel (UI message, Ctrl-C) arrive.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } finally {
    await runner.dispose();
  }
  return correct / count;
}
