/**
 * `npm run bench`: training and inference speed of the small VGG and ResNet-20 on every TensorFlow.js backend
 * this process can load, side by side with PyTorch on the same CPU. Prints a table and rewrites
 * docs/benchmarks.md. Options: --backends=wasm,cpu  --models=small-vgg,resnet20  --no-write
 */
import os from 'node:os';
import type { BackendId } from '../../core/backend/backend-report.js';
import { nodeCandidates } from '../../core/node/node-backends.js';
import { BENCH_BUDGET_MS, backendPlan, INFER_BATCHES, MODELS, type Phase, TRAIN_BATCH, WASM_TARGETS } from './config.js';
import { machineFacts } from './machine.js';
import { tfjsModelFacts } from './model-facts.js';
import { REPORT_FILE } from './paths.js';
import {
  type BackendResult,
  type BenchRun,
  formatRate,
  loadWarning,
  markdownReport,
  parameterText,
  publishedLines,
  tableRows,
  targetLines,
  textTable,
} from './report.js';
import { type Measurement, runPhase, skipped } from './run-phase.js';
import { runTorchReference } from './torch-reference.js';
import { writeReportSection } from './report-file.js';

const PROBE_CAP_MS = 60_000;
const MIN_CAP_MS = 15_000;

function option(name: string): string[] | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg
    ?.slice(name.length + 3)
    .split(',')
    .filter(Boolean);
}

const started = performance.now();
const elapsedS = () => ((performance.now() - started) / 1000).toFixed(0).padStart(3);
const log = (line: string) => console.log(`[${elapsedS()} s] ${line}`);

function describeMeasurement(m: Measurement): string {
  if (m.imagesPerSecond === undefined) return `${m.status}${m.note ? `: ${m.note}` : ''}`;
  const rate = `${m.upperBound ? '<' : ''}${formatRate(m.imagesPerSecond)} img/s`;
  const steps = m.upperBound ? '' : ` (median of ${m.timedSteps}, ${m.warmupSteps} warm-up)`;
  return `${rate}${steps}${m.note ? `; ${m.note}` : ''}`;
}

async function measure(backend: BackendId, model: (typeof MODELS)[number], phase: Phase, batch: number): Promise<Measurement> {
  const remaining = BENCH_BUDGET_MS - (performance.now() - started);
  if (remaining < MIN_CAP_MS) return skipped(`the bench's ${BENCH_BUDGET_MS / 1000} s budget was spent`);
  const { plan, hardCapMs } = backendPlan(backend);
  const result = await runPhase({ kind: phase, backend, model: model.key, batch, plan }, Math.min(hardCapMs, remaining));
  log(`${backend.padEnd(8)} ${model.label.padEnd(10)} ${phase} b${batch}: ${describeMeasurement(result)}`);
  return result;
}

async function main() {
  const wantedBackends = option('backends');
  const wantedModels = option('models');
  const models = MODELS.filter((m) => !wantedModels || wantedModels.includes(m.key));
  const candidates = nodeCandidates.filter((c) => !wantedBackends || wantedBackends.includes(c.id));
  const machine = machineFacts();
  log(`Pruneflow backends bench: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.tfjs}`);
  log(`load average ${machine.loadAverage.join(', ')} (numbers are noisy when the machine is busy)`);

  const tfjsFacts = await tfjsModelFacts(models);

  log('PyTorch reference (test/bench/torch_reference.py)...');
  const torch = await runTorchReference(models.map((m) => m.key));
  log(
    torch.available ? `PyTorch ${torch.torch} (${torch.python}), ${torch.threads} threads` : `PyTorch not available: ${torch.reason}; ratio columns stay empty`,
  );

  const probes: BenchRun['probes'] = [];
  for (const candidate of candidates) {
    const probe = await runPhase({ kind: 'probe', backend: candidate.id }, PROBE_CAP_MS);
    probes.push({ id: candidate.id, probe });
    log(`backend ${candidate.id}: ${probe.status === 'ok' ? `available (${(probe.details ?? []).join(', ')})` : `${probe.status}: ${probe.note}`}`);
  }

  const results: BackendResult[] = [];
  for (const { id, probe } of probes) {
    if (probe.status !== 'ok') continue;
    const { inferBatches, note } = backendPlan(id);
    if (note) log(`${id}: ${note}`);
    for (const model of models) {
      const train = await measure(id, model, 'train', TRAIN_BATCH);
      const infer: Record<number, Measurement> = {};
      for (const batch of INFER_BATCHES) {
        infer[batch] = inferBatches.includes(batch) ? await measure(id, model, 'infer', batch) : skipped(`not run on ${id}`);
      }
      results.push({ model: model.key, backend: id, train, infer });
    }
  }

  const run: BenchRun = {
    machine,
    loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    seconds: (performance.now() - started) / 1000,
    torch,
    tfjsFacts,
    probes,
    results,
  };
  console.log(`\nModel check (parameters, MACs per image):\n${parameterText(run)}`);
  console.log(`\nImages per second (batch ${TRAIN_BATCH} training; ×torch = tfjs / PyTorch on this CPU):\n${textTable(tableRows(run))}`);
  for (const { id, probe } of probes) if (probe.status !== 'ok') console.log(`${id}: ${probe.status}: ${probe.note}`);
  console.log(`\nTargets (wasm at least ${WASM_TARGETS.train}x PyTorch in training, ${WASM_TARGETS.infer}x in inference):`);
  console.log([...targetLines(run), ...publishedLines(run)].join('\n').replace(/\*\*/g, ''));
  const warning = loadWarning(run);
  if (warning) console.log(`\n${warning}`);

  if (process.argv.includes('--no-write')) return;
  writeReportSection('backends', markdownReport(run));
  console.log(`\nWrote ${REPORT_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
