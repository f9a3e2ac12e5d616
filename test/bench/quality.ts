// Pruning-quality benchmark (npm run bench:quality; --data fashion-mnist for the Fashion-MNIST table, --quick for a
// smoke test of the harness, --report to rewrite the report from stored results): a ResNet-20 trained once on the
// data set (the CIFAR-10 subset by default), pruned by every
// criterion to 30/50/70% fewer FLOPs and fine-tuned with one budget for all; a PyTorch reference row.
// Finished cells are stored as they end, so a rerun skips them.
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { PruneConfig, PruneResult } from '../../core/api/contract.js';
import { DEFAULT_PRUNE_CONFIG } from '../../core/api/contract.js';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { buildChannelGraph } from '../../core/graph/channel-graph.js';
import { readAsset } from '../../core/node/assets.js';
import { openDataSource } from '../../core/node/open-data-source.js';
import { openModelSource } from '../../core/node/open-model-source.js';
import { nodeReplicaSpawner } from '../../core/node/training-workers.js';
import { loadModel } from '../../core/session/model-source.js';
import { type RunContext, runPruning } from '../../core/session/prune-run.js';
import type { ParallelTraining } from '../../core/train/fit.js';
import { BLOCK_RATIO, datasetFromArgs, FIRST_METHODS, MATCHED_ID, METHODS, QUICK_BUDGET, type QualityBudget, qualityPaths } from './quality-config.js';
import { ensureBaseline } from './quality-baseline.js';
import { prepareQualityData } from './quality-data.js';
import { writeQualityReport } from './quality-report.js';
import { type QualityCell, QualityStore } from './quality-store.js';

interface Job {
  method: string;
  cut: number;
  seed: number;
}

/**
 * The order work is done in, so a run cut short still answers the main question: the middle cut for every
 * method, its extra seeds (the spread decides whether CIP beats L1 and random), then the other cuts of the
 * methods the comparison is about, then the rest, and last Pruneflow's half of the PyTorch reference pair.
 */
function jobs(budget: QualityBudget): Job[] {
  const cell = (method: string, cut: number, seed = 1): Job => ({ method, cut, seed });
  const middle = budget.cuts.includes(0.5) ? 0.5 : budget.cuts[0];
  const others = METHODS.map((m) => m.id).filter((id) => !FIRST_METHODS.includes(id));
  const otherCuts = budget.cuts.filter((c) => c !== middle);
  return [
    ...FIRST_METHODS.map((id) => cell(id, middle)),
    ...others.map((id) => cell(id, middle)),
    ...budget.extraSeeds.flatMap((seed) => budget.seededMethods.map((id) => cell(id, budget.seededCut, seed))),
    ...FIRST_METHODS.flatMap((id) => otherCuts.map((cut) => cell(id, cut))),
    ...others.flatMap((id) => otherCuts.map((cut) => cell(id, cut))),
    cell(MATCHED_ID, BLOCK_RATIO),
  ];
}

/** Hand-set ratios for the matched PyTorch pair: half of every block's inner channels, nothing else. */
async function blockRatios(modelPath: string): Promise<Record<string, number>> {
  const model = await loadModel(modelPath, { openModelSource });
  try {
    const graph = buildChannelGraph(model);
    return Object.fromEntries(graph.groups.filter((g) => g.prunable).flatMap((g) => g.producers.map((p) => [p, /_a_conv$/.test(p) ? BLOCK_RATIO : 0])));
  } finally {
    model.dispose();
  }
}

function configFor(job: Job, budget: QualityBudget, model: string, data: string, matchedRatios: Record<string, number>): PruneConfig {
  const base: PruneConfig = {
    ...DEFAULT_PRUNE_CONFIG,
    model,
    data,
    target: { metric: 'flops', reduction: job.cut },
    // Exact counts, as the published tables were measured (before rounding became the default).
    roundTo: 1,
    trainEpochs: 0,
    fineTuneEpochs: budget.fineTune.epochs,
    batchSize: budget.baseline.batchSize,
    learningRate: budget.baseline.learningRate,
    calibrationBatches: budget.calibrationBatches,
    seed: job.seed,
  };
  // The hand-set block ratios cut a little under half the FLOPs; the target only has to be within reach.
  if (job.method === MATCHED_ID) return { ...base, criterion: 'l1', layerRatios: matchedRatios, target: { metric: 'flops', reduction: 0.4 } };
  const method = METHODS.find((m) => m.id === job.method)!;
  if (method.schedule !== 'continuous') return { ...base, criterion: method.criterion, schedule: method.schedule };
  // Soft-pruning epochs count inside the same budget of passes over the fine-tuning images.
  return {
    ...base,
    criterion: method.criterion,
    schedule: 'continuous',
    softEpochs: budget.fineTune.softEpochs,
    fineTuneEpochs: budget.fineTune.epochs - budget.fineTune.softEpochs,
  };
}

function cellFrom(job: Job, result: PruneResult): QualityCell {
  return {
    method: job.method,
    cut: job.cut,
    seed: job.seed,
    accuracy: result.pruned.accuracy,
    baselineAccuracy: result.baseline.accuracy,
    pruneOnlyAccuracy: result.pruneOnly.accuracy,
    parameters: result.pruned.parameters,
    baselineParameters: result.baseline.parameters,
    flops: result.pruned.flops,
    baselineFlops: result.baseline.flops,
    latencyMs: result.pruned.latencyMs,
    baselineLatencyMs: result.baseline.latencyMs,
    latencyBatch: result.pruned.latencyBatch,
    seconds: result.seconds,
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
    finishedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

function trainingReplicas(): ParallelTraining | undefined {
  const replicas = Math.min(availableParallelism(), 4);
  return replicas > 1 ? { replicas, spawnReplica: nodeReplicaSpawner() } : undefined;
}

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dataset = datasetFromArgs(args);
  const budget = args.includes('--quick') ? QUICK_BUDGET : dataset.budget;
  const paths = qualityPaths(budget.mode, dataset);
  const store = new QualityStore(paths.results, budget);
  if (args.includes('--report')) {
    await writeQualityReport(store.results, paths, dataset);
    return;
  }
  await wasmCandidate.load();
  const parallel = trainingReplicas();
  const data = await prepareQualityData(dataset, budget, paths.scratch);
  const { facts, torch } = await ensureBaseline(paths.baselineDir, data.baseline, budget, dataset, log);
  [store.results.baseline, store.results.torch] = [facts, torch];
  await store.save();
  const modelPath = join(paths.baselineDir, 'model.json');
  const subset = data.fineTune;
  const matchedRatios = await blockRatios(modelPath);
  let stage = '';
  let lastStep = 0;
  const context: RunContext = {
    backend: 'wasm',
    readAsset,
    openDataSource,
    openModelSource,
    trainingReplicas: parallel,
    onProgress: (p) => {
      const changed = p.stage !== stage;
      if (!changed && p.step - lastStep < 25 && p.step !== p.total) return;
      [stage, lastStep] = [p.stage, p.step];
      const rate = p.metrics?.imagesPerSecond;
      log(`  ${p.stage}: ${p.total ? `${p.step}/${p.total} ` : ''}${p.message}${rate ? `, ${rate.toFixed(0)} img/s` : ''}`);
    },
  };
  for (const job of jobs(budget)) {
    if (store.has(job.method, job.cut, job.seed)) continue;
    log(`${job.method} at ${job.cut * 100}% FLOPs cut, seed ${job.seed}`);
    let result: PruneResult;
    try {
      result = await runPruning(configFor(job, budget, modelPath, subset, matchedRatios), context);
    } catch (error) {
      // One criterion failing must not cost the other cells: record it and go on.
      log(`${job.method} ${job.cut * 100}% seed ${job.seed} FAILED: ${(error as Error).stack ?? String(error)}`);
      await store.fail(job.method, job.cut, job.seed, `${(error as Error).name}: ${(error as Error).message}`);
      continue;
    }
    const cell = cellFrom(job, result);
    await store.add(cell);
    log(
      `${job.method} ${job.cut * 100}% seed ${job.seed}: ${(cell.accuracy * 100).toFixed(2)}% (baseline ${(cell.baselineAccuracy * 100).toFixed(2)}%, ` +
        `after pruning ${(cell.pruneOnlyAccuracy * 100).toFixed(2)}%), FLOPs ` +
        `-${((1 - cell.flops / cell.baselineFlops) * 100).toFixed(1)}%, ${cell.seconds.toFixed(0)} s`,
    );
    // The report is rewritten as cells finish; a fault in it must not stop the measurements.
    await writeQualityReport(store.results, paths, dataset).catch((error: unknown) => log(`report not written: ${(error as Error).message}`));
  }
  await writeQualityReport(store.results, paths, dataset);
  log('done');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
