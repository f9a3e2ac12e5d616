import type { ChannelGraph } from '../graph/channel-graph.js';

/** Channels that SIMD kernels process at once: XNNPACK's wasm kernels, ONNX Runtime's AVX2 blocks. */
export const SIMD_BLOCK = 8;

export interface RoundingChoice {
  roundTo: number;
  /** Why, in words, for the wizard. */
  why: string;
}

/**
 * How kept channels round when a run asks for no rounding: the timing engine's block (at least SIMD_BLOCK), halved
 * until it is at most half the narrowest prunable group, so no group is left to keep all its channels or none.
 * Measured on ResNet-20 (groups of 16, 32 and 64 channels) at 50% fewer FLOPs: rounding to 16 cost 8 points after
 * fine-tuning (stage 1 could not be cut, so the others were cut to a quarter), rounding to 8 cost none and ran
 * faster than exact counts in tfjs (wasm) and in ONNX Runtime (docs/benchmarks.md, "Default rounding").
 */
export function defaultRounding(graph: ChannelGraph, engineBlock = 1): RoundingChoice {
  const widths = graph.groups.filter((g) => g.prunable).map((g) => g.channels);
  const narrowest = widths.length ? Math.min(...widths) : Infinity;
  const preferred = Math.max(SIMD_BLOCK, engineBlock);
  let roundTo = preferred;
  while (roundTo > 1 && roundTo * 2 > narrowest) roundTo = Math.floor(roundTo / 2);
  const kernels = `the kernels work on ${preferred} channels at once`;
  if (roundTo === preferred) return { roundTo, why: `${kernels}, and a width off the block costs almost as much as the next multiple.` };
  return {
    roundTo,
    why:
      `${kernels}, but the narrowest layer has ${narrowest} channels: blocks of ${preferred} would leave it all or nothing ` +
      `(on ResNet-20, whose narrowest layers have 16, blocks of 16 cost 8 points where 8 cost none).`,
  };
}
