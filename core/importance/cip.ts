import type * as tfl from '@tensorflow/tfjs-layers';
import { measureChannelMeans } from './channel-statistics.js';
import { tfjsRunner } from '../backend/forward-runner.js';
import { backOffWarning, CalibrationRequiredError, type ImportanceContext, type ImportanceCriterion } from './criterion.js';
import { propagateImportance, statisticTargets, type CipAnalysis } from './cip-propagation.js';
import type { ChannelStatistic } from './cip-rules.js';
import { CIP_DEFAULTS, type CipSettings } from './cip-settings.js';
import { channelsOf, readTopology, tensorKey, type Topology } from './cip-topology.js';

export interface CipOptions extends Partial<CipSettings> {
  id?: string;
  label?: string;
}

/** A CIP criterion: `analyse` also returns each writer's a, r and I, the residual splits and the warnings. */
export interface CipCriterion extends ImportanceCriterion {
  readonly settings: Readonly<CipSettings>;
  analyse(context: ImportanceContext): Promise<CipAnalysis>;
}

export class CipOptionsError extends Error {
  override name = 'CipOptionsError';
}

/**
 * Channel Importance Propagation (H. Chen, C. Li, ICCSMT 2021), reconstructed from the paper's abstract
 * as CIP-SPEC sections 1-3 state it. The switches of section 7 turn it into its published baselines.
 */
export function createCip(options: CipOptions = {}): CipCriterion {
  const { id = 'cip', label = "CIP: channel importance propagation (reconstructed from the paper's abstract)", ...overrides } = options;
  const settings: CipSettings = { ...CIP_DEFAULTS, ...overrides };
  validate(settings);
  const needs = settings.unitStatistic ? 'weights' : 'activations';
  const analyse = async (context: ImportanceContext): Promise<CipAnalysis> => {
    const { model, graph, calibration } = context;
    const topology = readTopology(model);
    let mu: ChannelStatistic = (t) => new Float32Array(channelsOf(topology, t)).fill(1);
    if (!settings.unitStatistic) {
      if (!calibration?.some((b) => b.size > 0))
        throw new CalibrationRequiredError(`The '${id}' criterion measures activations: it needs calibration batches.`);
      mu = await measuredStatistic(context, topology, calibration);
    }
    return propagateImportance(model, graph, topology, mu, settings);
  };
  return {
    id,
    label,
    needs,
    followsOneCall: true,
    settings,
    analyse,
    async scoreGroups(context) {
      const analysis = await analyse(context);
      for (const warning of analysis.warnings) context.warn?.(warning);
      return analysis.scores;
    },
  };
}

/** Section 1, one-shot: one calibration pass measures every tensor the walk will read. */
async function measuredStatistic(
  context: ImportanceContext,
  topology: Topology,
  calibration: ImportanceContext['calibration'] & object,
): Promise<ChannelStatistic> {
  const { model, forward } = context;
  const targets = statisticTargets(model, topology).map((tensor) => ({ key: tensorKey(tensor), tensor, channels: channelsOf(topology, tensor) }));
  const images = calibration.reduce((n, b) => n + b.size, 0);
  const probes = targets.map((t) => t.tensor);
  const runner = forward ? await forward.open('activations', model, { images, probes }) : tfjsRunner(model, probes);
  const means = await measureChannelMeans(model, targets, calibration, {
    warn: backOffWarning(context),
    runner,
    chunk: runner.engine === 'tfjs' ? 32 : 64,
  }).finally(() => runner.dispose());
  return (t) => {
    const mu = means.get(tensorKey(t));
    if (!mu) throw new Error(`CIP: no statistic was measured for '${t.name}'`);
    return mu;
  };
}

function validate(s: CipSettings): void {
  const bad = (what: string) => {
    throw new CipOptionsError(`CIP options: ${what}.`);
  };
  if (!(s.alpha >= 0 && s.alpha <= 1)) bad(`alpha must lie in [0, 1], got ${s.alpha}`);
  if (!(s.beta >= 0) || !Number.isFinite(s.beta)) bad(`beta must be a finite number >= 0, got ${s.beta}`);
  if (!(s.tau > 0) || !Number.isFinite(s.tau)) bad(`tau must be a finite number > 0, got ${s.tau}`);
  if (!(s.eps > 0) || !Number.isFinite(s.eps)) bad(`eps must be a finite number > 0, got ${s.eps}`);
}

/** CIP with Pruneflow's defaults (CIP_SWITCH_DEFAULTS: CIP-SPEC section 6's, except where bench:papers measured better). */
export const cip = createCip();
