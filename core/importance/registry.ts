import type { ImportanceCriterion } from './criterion.js';
import { l1Norm } from './l1-norm.js';

const CRITERIA = new Map<string, ImportanceCriterion>([l1Norm].map((c) => [c.id, c]));

export class UnknownCriterionError extends Error {
  override name = 'UnknownCriterionError';
}

export function getCriterion(id: string): ImportanceCriterion {
  const criterion = CRITERIA.get(id);
  if (!criterion) throw new UnknownCriterionError(`Unknown importance criterion '${id}'. Known: ${[...CRITERIA.keys()].join(', ')}.`);
  return criterion;
}

export function listCriteria(): ImportanceCriterion[] {
  return [...CRITERIA.values()];
}
