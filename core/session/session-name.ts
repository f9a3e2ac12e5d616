import { criterionName } from '../api/catalog.js';
import type { PruneConfig } from '../api/contract.js';
import { metricWord } from '../prune/budget.js';

/**
 * A session's name when the user gives none: its criterion (by its human name), schedule and target,
 * numbered when the project already has a session of that name ("L1 norm, one-shot, 50% FLOPs (2)").
 */
export function defaultSessionName(config: Pick<PruneConfig, 'criterion' | 'schedule' | 'target'>, taken: readonly string[]): string {
  const base = `${criterionName(config.criterion)}, ${config.schedule}, ${Math.round(config.target.reduction * 100)}% ${metricWord(config.target.metric)}`;
  let name = base;
  for (let n = 2; taken.includes(name); n++) name = `${base} (${n})`;
  return name;
}
