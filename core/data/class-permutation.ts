/** The data's classes in the model's output order, read from how a model that names none of them predicts them. */
export interface ClassPermutation {
  /** dataOf[modelClass]: the data class whose images the model mostly gives that output. */
  dataOf: number[];
  /** Share of the images the permutation explains (its diagonal of the confusion matrix). */
  explained: number;
  /** "model class 0 -> 'cat', ..." for the classes it moves. */
  pairs: string;
}

/**
 * Whether a model's predictions are the data's classes in another order: the one-to-one assignment of model
 * outputs to data classes that explains the most images of `confusion` (confusion[dataClass][predicted]), when it
 * explains at least `least` of them and is not the identity. Greedy on the largest cells: a model whose
 * predictions a permutation explains has one dominant cell per row, which greedy finds.
 */
export function likelyPermutation(confusion: readonly (readonly number[])[], classNames: readonly string[], least: number): ClassPermutation | undefined {
  const n = confusion.length;
  const total = confusion.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
  if (n < 2 || total === 0) return undefined;
  const cells = confusion.flatMap((row, data) => row.map((count, model) => ({ data, model, count })));
  cells.sort((a, b) => b.count - a.count || a.data - b.data || a.model - b.model);
  const dataOf = new Array<number>(n).fill(-1);
  const taken = new Set<number>();
  let explained = 0;
  for (const { data, model, count } of cells) {
    if (dataOf[model] >= 0 || taken.has(data)) continue;
    dataOf[model] = data;
    taken.add(data);
    explained += count;
  }
  const share = explained / total;
  if (share < least || dataOf.every((d, m) => d === m)) return undefined;
  const moved = dataOf.map((d, m) => ({ d, m })).filter(({ d, m }) => d !== m);
  const shown = moved.slice(0, 10).map(({ d, m }) => `class ${m} looks like the data's '${classNames[d]}'`);
  return { dataOf, explained: share, pairs: shown.join(', ') + (moved.length > 10 ? `, … (${moved.length} classes moved)` : '') };
}
