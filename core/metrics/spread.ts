import type { Spread } from '../api/measured-speed.js';

/**
 * Above this interquartile range relative to the median, a speed-up is reported as uncertain: one
 * quarter of the pairs lie more than a tenth either side of the median, so two sessions measured
 * this way cannot be ranked by speed.
 */
export const UNCERTAIN_SPREAD = 0.2;

/** Median and quartiles by linear interpolation between order statistics (NumPy's default, R's type 7). */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spreadOf needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => {
    const position = p * (sorted.length - 1);
    const low = Math.floor(position);
    const high = Math.min(low + 1, sorted.length - 1);
    return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
  };
  return { median: at(0.5), q1: at(0.25), q3: at(0.75), runs: sorted.length };
}

/** Too few runs for quartiles, or an interquartile range wider than `UNCERTAIN_SPREAD` of the median. */
export function isUncertain(spread: Spread): boolean {
  return spread.runs < 4 || !(spread.median > 0) || (spread.q3 - spread.q1) / spread.median > UNCERTAIN_SPREAD;
}
