import { existsSync } from 'node:fs';
import { copyFile, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig } from '../../core/api/contract.js';
import { writeFilesAtomically } from '../../core/node/write-files.js';
import { type PapersProtocol, variantSettings } from './papers-config.js';

// What the papers' protocol runs on, shared by `npm run bench:papers` and `npm run bench:session`: the data
// subset's cut for the tiny budget and Pruneflow's options for the recipe.

const CIFAR_RECORD_BYTES = 3073;
export const PAPERS_INPUT = { preset: 'dataset-stats' } as const;

/** The first `train` and `test` records of the subset's two files, in a folder of their own (the tiny budget). */
export async function cutSubset(source: string, folder: string, train: number, test: number): Promise<string> {
  await mkdir(folder, { recursive: true });
  const files = [];
  for (const [name, count] of [
    ['data_batch_1.bin', train],
    ['test_batch.bin', test],
  ] as const) {
    const from = await open(join(source, name), 'r');
    try {
      const bytes = new Uint8Array(count * CIFAR_RECORD_BYTES);
      const { bytesRead } = await from.read(bytes, 0, bytes.length, 0);
      files.push({ name, bytes: bytes.subarray(0, bytesRead - (bytesRead % CIFAR_RECORD_BYTES)) });
    } finally {
      await from.close();
    }
  }
  await writeFilesAtomically(folder, files);
  await copyFile(join(source, 'batches.meta.txt'), join(folder, 'batches.meta.txt'));
  return folder;
}

/**
 * Pruneflow's options for the protocol: PyTorch's SGD recipe for fine-tuning, global ranking, defaults otherwise.
 * A method `cip:writerSpread=on+alpha=0` is CIP with those switches, `cip:schedule=continuous` CIP on the continuous
 * schedule in the same epochs (papers-config.ts, `variantSettings`).
 */
export function pruneflowConfig(p: PapersProtocol, model: string, data: string, method: string, cut: number, seed: number): PruneConfig {
  const [criterion = method, switches] = method.split(':');
  return {
    ...DEFAULT_PRUNE_CONFIG,
    model,
    data,
    criterion,
    target: { metric: 'flops', reduction: cut },
    ranking: 'global',
    // Exact counts, as Torch-Pruning prunes (round_to=None): the criteria compare like for like.
    roundTo: 1,
    trainEpochs: 0,
    fineTuneEpochs: p.fineTune.epochs,
    batchSize: p.batchSize,
    learningRate: p.baseline.learningRate,
    fineTuneLearningRate: p.fineTune.learningRate,
    optimizer: 'sgd',
    nesterov: true,
    weightDecay: p.weightDecay,
    weightDecayOn: 'all',
    lrSchedule: 'cosine',
    lrScheduleEvery: 'epoch',
    seed,
    // Normalised by the training images' channel statistics, as PyTorch trained it (and no detection, which
    // refuses the tiny budget's untrained baseline).
    input: PAPERS_INPUT,
    ...(switches ? variantSettings(switches, p.fineTune.epochs) : {}),
  };
}

/** Why Torch-Pruning cannot run: its source is not at `path` (it is never a product dependency); undefined when it is. */
export function torchPruningMissing(path: string): string | undefined {
  if (existsSync(join(path, 'torch_pruning', '__init__.py'))) return undefined;
  return (
    `Torch-Pruning's source is not at ${path}: extract it from its repository (github:VainF/Torch-Pruning), e.g. ` +
    '`mkdir -p .cache/torch-pruning && git --git-dir=<snapshot>.git archive HEAD ' +
    'torch_pruning | tar -x -C .cache/torch-pruning`, or set PRUNEFLOW_TORCH_PRUNING'
  );
}
