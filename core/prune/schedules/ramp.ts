/** The formulas of CIP-SPEC section 5, as pure functions of the epoch (t0 = 0). */
import { type GroupNormalisation, normaliseGroups } from '../../importance/group-normalisation.js';

/** T0 and Tmin of section 5: the gate temperature falls linearly from T0 + Tmin to Tmin. */
export const START_TEMPERATURE = 0.5;
export const MIN_TEMPERATURE = 1e-3;
/** Weight of the newest importance in Ibar(t) = 0.8 Ibar(t-1) + 0.2 I(t) (section 6: EMA momentum 0.8). */
export const IMPORTANCE_SMOOTHING = 0.8;

/** s_t = s_f (1 - (1 - t / T_p)^3): the cubic ramp of Zhu & Gupta; `constant` prunes s_f from the start (SFP). */
export function rampShare(final: number, t: number, span: number, ramp: 'cubic' | 'constant' = 'cubic'): number {
  if (ramp === 'constant') return final;
  const progress = Math.min(1, Math.max(0, t / span));
  return final * (1 - (1 - progress) ** 3);
}

/** T(t) = T0 (1 - t / T_p) + Tmin. */
export function temperature(t: number, span: number): number {
  return START_TEMPERATURE * (1 - Math.min(1, t / span)) + MIN_TEMPERATURE;
}

/** Ibar(t) = 0.8 Ibar(t-1) + 0.2 I(t); the first measurement starts the average. */
export function smoothScores(previous: ReadonlyMap<number, Float32Array> | undefined, current: ReadonlyMap<number, Float32Array>): Map<number, Float32Array> {
  if (!previous) return new Map(current);
  const m = IMPORTANCE_SMOOTHING;
  return new Map([...current].map(([group, now]) => [group, now.map((v, c) => m * previous.get(group)![c] + (1 - m) * v)]));
}

/** Scores normalised per group as planPruning ranks them (by default divided by their mean), so one threshold compares across groups. */
export function normalisedScores(scores: ReadonlyMap<number, Float32Array>, how: GroupNormalisation = 'mean'): Map<number, Float32Array> {
  return normaliseGroups(scores, how);
}

/**
 * m_c = sigmoid((Ibar_c - theta) / T) on mean-normalised scores. The plan (a global threshold plus
 * protection, rounding and the refill that meets the budget closely) decides which side of theta each
 * channel is on; theta lies midway between the best removed channel and the next kept one. A channel the
 * plan keeps below theta (protected, given back) gets the mirrored gate sigmoid(|Ibar_c - theta| / T).
 */
export function gateValues(
  normalised: ReadonlyMap<number, Float32Array>,
  keep: ReadonlyMap<number, Int32Array>,
  temp: number,
): { theta: number; gates: Map<number, Float32Array> } {
  const kept = new Map([...normalised].map(([group, n]) => [group, keptFlags(n.length, keep.get(group))]));
  let bestRemoved = -Infinity;
  for (const [group, n] of normalised) n.forEach((v, c) => !kept.get(group)![c] && (bestRemoved = Math.max(bestRemoved, v)));
  if (bestRemoved === -Infinity) return { theta: -Infinity, gates: new Map([...normalised].map(([g, n]) => [g, new Float32Array(n.length).fill(1)])) };
  let nextKept = Infinity;
  for (const [group, n] of normalised) n.forEach((v, c) => kept.get(group)![c] && v > bestRemoved && (nextKept = Math.min(nextKept, v)));
  const theta = nextKept === Infinity ? bestRemoved : (bestRemoved + nextKept) / 2;
  const gates = new Map([...normalised].map(([group, n]) => [group, n.map((v, c) => sigmoid(((kept.get(group)![c] ? 1 : -1) * Math.abs(v - theta)) / temp))]));
  return { theta, gates };
}

/** Binary gates of a plan: 1 for kept channels, `off` for removed ones. */
export function planGates(normalised: ReadonlyMap<number, Float32Array>, keep: ReadonlyMap<number, Int32Array>, off = 0): Map<number, Float32Array> {
  return new Map([...normalised].map(([group, n]) => [group, Float32Array.from(keptFlags(n.length, keep.get(group)), (k) => (k ? 1 : off))]));
}

function keptFlags(channels: number, kept: Int32Array | undefined): Uint8Array {
  const flags = new Uint8Array(channels).fill(kept ? 0 : 1);
  if (kept) for (const c of kept) flags[c] = 1;
  return flags;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
