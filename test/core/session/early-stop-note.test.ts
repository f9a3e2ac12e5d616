import { describe, expect, it } from 'vitest';
import type { PruneResult } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { readAsset } from '../../../core/node/assets.js';
import { createEngine } from '../../../core/session/engine.js';
import { BUILTIN_DATA } from '../../../core/session/run-inputs.js';
import { runSession } from './run-session.js';

// Early stopping's outcome stays in the result (its Results screen, report and CLI output), not only in a live progress line.
const engine = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset });

async function prune(fineTuneLearningRate: number): Promise<PruneResult> {
  const config = { model: 'demo-cnn', data: BUILTIN_DATA, trainEpochs: 1, fineTuneEpochs: 3, fineTuneLearningRate, optimizer: 'sgd' as const };
  return (await runSession(engine, { ...config, batchSize: 32, sample: { train: 400, test: 100 }, earlyStopping: { patience: 1 } })).result;
}

describe('early stopping in a session', () => {
  it('says which fine-tuning epoch it stopped after and whose weights it kept', async () => {
    // A rate that wrecks the network: the first fine-tuning epoch cannot beat the weights it started from.
    const wrecked = await prune(10);
    const note = wrecked.warnings.find((w) => w.startsWith('Fine-tuning stopped early'));
    // Baseline training (one epoch from random weights) improved, so it says nothing.
    expect(wrecked.warnings.some((w) => w.startsWith('Baseline training stopped early'))).toBe(false);
    expect(note).toMatch(/^Fine-tuning stopped early after epoch 1 of 3: .* the weights it started from \(validation \d+\.\d%\) were kept$/);
  }, 300_000);
});
