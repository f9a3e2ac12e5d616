import type { ClassScore, PruneResult } from './contract.js';

/** One class's top-1 accuracy before and after pruning (undefined for a class without test images). */
export interface ClassRow {
  name: string;
  images: number;
  baseline?: number;
  pruned?: number;
  change?: number;
}

const share = (score: ClassScore | undefined) => (score && score.images > 0 ? score.correct / score.images : undefined);

/** Accuracy per class of a run's result; empty when the result predates per-class counts. */
export function classRows(result: Pick<PruneResult, 'baseline' | 'pruned'> | undefined): ClassRow[] {
  const before = result?.baseline.perClass;
  const after = result?.pruned.perClass;
  if (!before || !after) return [];
  return before.map((score, c) => {
    const baseline = share(score);
    const pruned = share(after[c]);
    return { name: score.name, images: score.images, baseline, pruned, change: baseline !== undefined && pruned !== undefined ? pruned - baseline : undefined };
  });
}

/** The classes that lost the most accuracy first: what a reader of a long list wants to see. */
export function worstFirst(rows: readonly ClassRow[]): ClassRow[] {
  return [...rows].sort((a, b) => (a.change ?? 0) - (b.change ?? 0));
}
