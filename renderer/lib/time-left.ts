import type { PruneConfig, TaskProgress } from '../../core/api/contract.js';

type RunSettings = Pick<PruneConfig, 'trainEpochs' | 'fineTuneEpochs' | 'schedule' | 'scheduleSteps' | 'softEpochs'> & { target: PruneConfig['target'] };

/** A training stage still to come: its epochs and its cost per image against the baseline's (a pruned model is cheaper). */
interface Stage {
  epochs: number;
  cost: number;
}

/**
 * Seconds left in the whole run, not just the stage: the engine's time left for this stage, plus the
 * training stages after it at this machine's measured speed (seconds per epoch of this stage, scaled by
 * each stage's cost: fine-tuning trains the pruned model, so with half the FLOPs it takes about half the
 * time). Undefined while no training stage has measured its speed (loading, scoring, evaluating).
 */
export function totalSecondsLeft(config: RunSettings, progress: TaskProgress | undefined): number | undefined {
  const stageLeft = progress?.metrics?.secondsLeft;
  if (!progress || stageLeft === undefined || !Number.isFinite(stageLeft) || progress.total <= 0 || progress.step >= progress.total) return stageLeft;
  const fitEpochs = Number(/epoch \d+\/(\d+)/.exec(progress.message)?.[1]);
  if (!(fitEpochs > 0)) return stageLeft;
  const cut = config.target.metric === 'flops' ? config.target.reduction : config.target.reduction / 2;
  const pruned = Math.max(0.05, 1 - cut);
  // Seconds per epoch at the baseline's cost, measured by the stage that runs now.
  const current = stageCost(progress.stage, config.schedule, pruned);
  const perEpoch = ((stageLeft / (progress.total - progress.step)) * (progress.total / fitEpochs)) / current;
  const later = laterStages(config, progress.stage, pruned);
  return stageLeft + later.reduce((sum, s) => sum + s.epochs * s.cost * perEpoch, 0);
}

function stageCost(stage: string, schedule: RunSettings['schedule'], pruned: number): number {
  if (stage === 'training') return 1;
  if (stage === 'fine-tuning') return pruned;
  // Soft pruning trains the whole model behind its gates; iterative steps train a model shrinking towards the target.
  return schedule === 'continuous' ? 1 : (1 + pruned) / 2;
}

function laterStages(config: RunSettings, stage: string, pruned: number): Stage[] {
  const pruning: Stage[] = [];
  if (config.schedule === 'continuous') pruning.push({ epochs: config.softEpochs, cost: 1 });
  if (config.schedule === 'iterative' && config.scheduleSteps > 1) {
    // The iterative schedule spreads its epochs over the gaps between steps; from step k, the gaps after it are left.
    const step = Number(/step (\d+)\//.exec(stage)?.[1] ?? 0);
    const gapsLeft = config.scheduleSteps - 1 - step;
    pruning.push({ epochs: (config.softEpochs * Math.max(0, gapsLeft)) / (config.scheduleSteps - 1), cost: (1 + pruned) / 2 });
  }
  const fineTuning = { epochs: config.fineTuneEpochs, cost: pruned };
  if (stage === 'training') return [...pruning, fineTuning];
  if (stage === 'fine-tuning') return [];
  return [...(config.schedule === 'iterative' ? pruning : []), fineTuning];
}
