export interface AccuracyCost {
  accuracy: number;
  flops: number;
}

/**
 * Which points are on the Pareto front of "more accuracy, fewer FLOPs": no other point is at least as
 * good in both and strictly better in one. Equal points do not dominate each other, so both stay on it.
 */
export function paretoFlags(points: readonly AccuracyCost[]): boolean[] {
  return points.map((p) => !points.some((q) => q.accuracy >= p.accuracy && q.flops <= p.flops && (q.accuracy > p.accuracy || q.flops < p.flops)));
}
