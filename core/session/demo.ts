import type { DemoOptions, PruneConfig } from '../api/contract.js';
import { DEFAULT_PRUNE_CONFIG } from '../api/contract.js';
import { BUILTIN_DATA } from './run-inputs.js';

/**
 * The vertical slice as a pruning run with fixed choices: train the demo CNN on the built-in
 * Fashion-MNIST sample, remove a share of its FLOPs by L1-norm channel pruning, fine-tune, compare.
 */
export function demoConfig(options: DemoOptions): PruneConfig {
  return {
    ...DEFAULT_PRUNE_CONFIG,
    model: 'demo-cnn',
    data: BUILTIN_DATA,
    criterion: 'l1',
    target: { metric: 'flops', reduction: options.flopsReduction },
    trainEpochs: options.trainEpochs,
    fineTuneEpochs: options.fineTuneEpochs,
    seed: options.seed,
    ...(options.project && { project: options.project }),
  };
}
