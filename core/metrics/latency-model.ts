import type { ChannelGraph } from '../graph/channel-graph.js';
import { LATENCY_PROFILES } from './latency-profiles.js';

/** Who times a run's models: ONNX Runtime's CPU kernels (Node hosts), or tfjs on its WebAssembly backend (XNNPACK). */
export type TimingEngine = 'onnxruntime' | 'wasm';

/**
 * How one inference engine's time follows a model's widths, measured on this machine
 * (`npm run bench:latency-model` fits it from paired timings of pruned models):
 * its kernels work on channels in blocks of `block` (13 channels cost what 16 do), a layer whose pruned width
 * is not a multiple of the block falls off the fast path and costs `unaligned` times more, and `fixed` of the
 * unpruned model's time does not shrink with its channels (input, pooling, the classifier, per-call overhead).
 */
export interface LatencyProfile {
  engine: TimingEngine;
  block: number;
  unaligned: number;
  fixed: number;
  /** Where the numbers come from (machine, date, what was timed). */
  measured: string;
}

/** The profile of the engine that will time a run, or undefined where none was measured (tfjs-node, WebGL: time is taken to follow FLOPs). */
export const latencyProfile = (engine: TimingEngine | undefined): LatencyProfile | undefined => (engine ? LATENCY_PROFILES[engine] : undefined);

/** `value` rounded up to the block: the width the kernels really compute. */
const padded = (value: number, block: number) => Math.ceil(value / block) * block;

/**
 * Relative inference cost of the network if each group kept `kept[group]` channels (all when absent): every
 * conv and dense layer's multiply-accumulates with its widths padded to the engine's block, times the
 * `unaligned` factor where a prunable width is off the block. Only ratios of two costs mean anything.
 */
export function latencyCost(graph: ChannelGraph, kept: ReadonlyMap<number, number>, profile: LatencyProfile): number {
  let cost = 0;
  for (const { inputs, outputs, cost: terms } of graph.layers) {
    let off = false;
    const width = (segments: typeof inputs) =>
      segments.reduce((n, s) => {
        const channels = kept.get(s.group) ?? s.channels;
        if (graph.groups[s.group]?.prunable && channels % profile.block !== 0) off = true;
        return n + channels;
      }, 0);
    const inW = padded(width(inputs), profile.block);
    const outW = padded(width(outputs), profile.block);
    const layer = terms.flops.pair * inW * outW + terms.flops.perIn * inW + terms.flops.perOut * outW;
    cost += off ? layer * profile.unaligned : layer;
  }
  return cost;
}

/**
 * The share of the unpruned model's time the pruned one takes (0.5: twice as fast), predicted by the profile:
 * the fixed share stays, the rest scales with the padded, alignment-weighted cost. `pruned` is the pruned
 * network's own graph (its widths), or the unpruned graph with the kept counts.
 */
export function predictedTimeShare(
  baseline: ChannelGraph,
  pruned: { graph: ChannelGraph; kept?: ReadonlyMap<number, number> },
  profile: LatencyProfile,
): number {
  const full = latencyCost(baseline, new Map(), profile);
  if (!(full > 0)) return 1;
  const share = latencyCost(pruned.graph, pruned.kept ?? new Map(), profile) / full;
  return profile.fixed + (1 - profile.fixed) * share;
}

/** Why this engine's block is the default rounding, in a sentence for the target step's label. */
export function blockReason(profile: LatencyProfile): string {
  const who = profile.engine === 'onnxruntime' ? "ONNX Runtime's CPU kernels" : "The WebAssembly backend's kernels (XNNPACK)";
  return (
    `${who} work on channels in blocks of ${profile.block}: a width off the block costs about ${profile.unaligned.toFixed(1)}× ` +
    `what its FLOPs say (measured on this machine).`
  );
}
