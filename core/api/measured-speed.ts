/**
 * How measured latency and speed-up are reported: a median with its spread, never one reading. Types only
 * (part of the API contract, imported from every layer).
 */

/** Repeated measurements of one quantity: median, quartiles (interquartile range q1..q3) and how many. */
export interface Spread {
  median: number;
  q1: number;
  q3: number;
  runs: number;
}

/**
 * The pruned model's speed-up over the baseline, both as deployed, timed in alternating pairs on one
 * batch: each pair gives one ratio (baseline time / pruned time), so a burst of load hits both alike.
 */
export interface SpeedMeasurement {
  /** Baseline time over pruned time, per pair (2 = twice as fast). */
  speedup: Spread;
  /** Milliseconds per batch of `batch` images. */
  baselineMs: Spread;
  prunedMs: Spread;
  batch: number;
  /** The interquartile range is wide against the median: the machine was too noisy to tell the speed-up well. */
  uncertain: boolean;
}
