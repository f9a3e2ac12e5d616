import type * as tfl from '@tensorflow/tfjs-layers';
import { CRITERIA_INFO, type CriterionId } from '../api/catalog.js';
import type { PruneConfig } from '../api/contract.js';
import { SharedLayerError, sharedLayers } from '../models/model-calls.js';
import { assertOneCallPerLayer, ONE_CALL_REASON } from './cip-topology.js';
import { activationMean } from './activation-mean.js';
import { apoz } from './apoz.js';
import { bnScale } from './bn-scale.js';
import { cip, createCip } from './cip.js';
import type { ImportanceCriterion } from './criterion.js';
import { fpgm } from './fpgm.js';
import { groupL1 } from './group-l1.js';
import { hrank } from './hrank.js';
import { l1Norm } from './l1-norm.js';
import { l2Norm } from './l2-norm.js';
import { lamp } from './lamp.js';
import { nisp } from './nisp.js';
import { randomScores } from './random.js';
import { taylor } from './taylor.js';

/** The implementation of each criterion of the catalog (core/api/catalog.ts), which gives the list and its order. */
const IMPLEMENTATIONS: Record<CriterionId, ImportanceCriterion> = {
  l1: l1Norm,
  l2: l2Norm,
  'group-l1': groupL1,
  lamp,
  fpgm,
  'bn-scale': bnScale,
  'activation-mean': activationMean,
  apoz,
  hrank,
  taylor,
  cip,
  nisp,
  random: randomScores,
};

/** One entry per criterion, in the order menus list them. */
const CRITERIA = new Map<string, ImportanceCriterion>(CRITERIA_INFO.map((c) => [c.id, IMPLEMENTATIONS[c.id]]));

export class UnknownCriterionError extends Error {
  override name = 'UnknownCriterionError';
}

export function getCriterion(id: string): ImportanceCriterion {
  const criterion = CRITERIA.get(id);
  if (!criterion) throw new UnknownCriterionError(`Unknown importance criterion '${id}'. Known: ${[...CRITERIA.keys()].join(', ')}.`);
  return criterion;
}

/** The run's criterion: CIP with the run's own switches where it sets any, else the registered one. */
export function criterionFor(config: Pick<PruneConfig, 'criterion' | 'cip'>): ImportanceCriterion {
  if (config.criterion === 'cip' && config.cip && Object.keys(config.cip).length > 0) return createCip(config.cip);
  return getCriterion(config.criterion);
}

export function listCriteria(): ImportanceCriterion[] {
  return [...CRITERIA.values()];
}

/** The criteria that cannot score `model`, each with the reason (a layer called twice, for those that follow one call). */
export function criteriaRefusing(model: tfl.LayersModel): { id: string; reason: string }[] {
  const shared = sharedLayers(model);
  if (shared.length === 0) return [];
  const reason = new SharedLayerError(shared, ONE_CALL_REASON).message;
  return listCriteria()
    .filter((c) => c.followsOneCall)
    .map((c) => ({ id: c.id, reason }));
}

/** Fails before a run, naming the shared layers, when `criterion` cannot score `model`. */
export function checkCriterionFits(criterion: ImportanceCriterion, model: tfl.LayersModel): void {
  if (criterion.followsOneCall) assertOneCallPerLayer(model);
}
