/**
 * How a group's scores are made comparable with other groups' before one global threshold ranks them
 * (Torch-Pruning's `normalizer`): divided by the group's mean, max or sum; LAMP's ratio (Lee et al. 2021:
 * a channel's score over the sum of its own and every higher score of its group, so each group's best is 1);
 * or left as they are.
 */
export type GroupNormalisation = 'mean' | 'max' | 'sum' | 'lamp' | 'none';

export const GROUP_NORMALISATIONS: readonly GroupNormalisation[] = ['mean', 'max', 'sum', 'lamp', 'none'];

/** The group's scores under `how`; a group whose divisor is 0 keeps its scores. */
export function normaliseGroup(values: Float32Array, how: GroupNormalisation): Float32Array {
  if (how === 'none') return Float32Array.from(values);
  if (how === 'lamp') return lamp(values);
  const total = values.reduce((a, b) => a + b, 0);
  const divisor = how === 'max' ? values.reduce((a, b) => Math.max(a, b), -Infinity) : how === 'sum' ? total : total / values.length;
  return values.map((v) => v / (divisor || 1));
}

/** score / (score + every higher score); of equal scores the first channel counts as higher (Torch-Pruning's `_lamp`: ascending sort, suffix sums). */
function lamp(values: Float32Array): Float32Array {
  const ascending = Array.from(values.keys()).sort((a, b) => values[a] - values[b] || b - a);
  const out = new Float32Array(values.length);
  let suffix = 0;
  for (let i = ascending.length - 1; i >= 0; i--) {
    suffix += values[ascending[i]];
    out[ascending[i]] = values[ascending[i]] / (suffix || 1);
  }
  return out;
}

/** Every group's scores normalised the same way. */
export function normaliseGroups(scores: ReadonlyMap<number, Float32Array>, how: GroupNormalisation): Map<number, Float32Array> {
  return new Map([...scores].map(([group, values]) => [group, normaliseGroup(values, how)]));
}
