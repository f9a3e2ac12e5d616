/** Plain-array arithmetic of data parallelism: no tensors, so the coordinator cannot leak any. */

/** Splits `count` items into `parts` consecutive ranges as equal as possible (the first ones one larger). */
export function shardRanges(count: number, parts: number): [number, number][] {
  const base = Math.floor(count / parts);
  const extra = count % parts;
  const ranges: [number, number][] = [];
  for (let i = 0, start = 0; i < parts; i++) {
    const size = base + (i < extra ? 1 : 0);
    ranges.push([start, start + size]);
    start += size;
  }
  return ranges;
}

export interface Shard {
  count: number;
  gradients: Float32Array;
}

/**
 * The gradient of the mean loss over the whole batch: each shard's gradient is of its own mean loss, so it
 * weighs by its share of the images. Sums in double precision, rounds once.
 */
export function weightedAverage(shards: readonly Shard[]): Float32Array {
  const total = shards.reduce((sum, s) => sum + s.count, 0);
  if (total === 0 || shards.length === 0) throw new Error('no images in this step');
  const length = shards[0].gradients.length;
  const weights = shards.map((s) => s.count / total);
  const out = new Float32Array(length);
  for (let j = 0; j < length; j++) {
    let sum = 0;
    for (let i = 0; i < shards.length; i++) sum += weights[i] * shards[i].gradients[j];
    out[j] = sum;
  }
  return out;
}

/**
 * Element-wise mean of the same list of arrays from every replica (batch-norm moving statistics). Equal
 * inputs come out unchanged: a double holds n * x exactly for the few replicas there are.
 */
export function meanOfLists(lists: readonly Float32Array[][]): Float32Array[] {
  const n = lists.length;
  return lists[0].map((first, k) => {
    const out = new Float32Array(first.length);
    for (let j = 0; j < first.length; j++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += lists[i][k][j];
      out[j] = sum / n;
    }
    return out;
  });
}

/** Largest absolute difference between two weight lists (how far replicas drifted apart). */
export function maxAbsDifference(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let worst = 0;
  a.forEach((values, k) => {
    for (let j = 0; j < values.length; j++) worst = Math.max(worst, Math.abs(values[j] - b[k][j]));
  });
  return worst;
}
