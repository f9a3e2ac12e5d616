// CIP's switches (docs/cip.md section 7) on the papers' protocol: the papers' baseline (bench:papers) pruned by CIP to
// 50% fewer FLOPs with one switch changed at a time, then fine-tuned with the protocol's recipe for a few epochs
// (`npm run bench:cip-ablation -- --epochs 2`; the protocol's 8 by default; `-- --only continuous,defaults` runs
// some; `-- --seed 2` another seed). One seed is no verdict: CIP's seeds spread 2 points in bench:papers. Rewrites
// its section of docs/cip.md and stores each finished variant (test/bench/cip-ablation-results.json), so a rerun goes on where it stopped.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PruneConfig } from '../../core/api/contract.js';
import { CIP_SPEC_SWITCHES } from '../../core/api/run-options.js';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { nodeRunHost } from '../../core/node/node-engine.js';
import { nodeReplicaSpawner } from '../../core/node/training-workers.js';
import { type RunContext, runPruning } from '../../core/session/prune-run.js';
import { FULL_PROTOCOL, papersPaths, variantSettings } from './papers-config.js';
import { flagValue } from './args.js';
import { pruneflowConfig } from './papers-setup.js';
import { cifarSubsetPath } from './quality-config.js';
import { writeReportSection } from './report-file.js';

interface Variant {
  id: string;
  /** What it changes against CIP-SPEC's defaults, in words. */
  change: string;
  /** Run options over the protocol's; a function of the run's epochs where the variant splits them. */
  settings: Partial<PruneConfig> | ((epochs: number) => Partial<PruneConfig>);
}

const VARIANTS: Variant[] = [
  {
    id: 'defaults',
    change:
      `none: CIP-SPEC's defaults (alpha ${CIP_SPEC_SWITCHES.alpha}, beta ${CIP_SPEC_SWITCHES.beta}, ` +
      `tau ${CIP_SPEC_SWITCHES.tau}, the writers' plain mean)`,
    settings: {},
  },
  { id: 'local', change: 'alpha 0: the local score alone, nothing propagated', settings: { cip: { alpha: 0 } } },
  { id: 'propagated', change: 'alpha 1: the propagated share alone', settings: { cip: { alpha: 1 } } },
  { id: 'no-kernel', change: 'beta 0: no kernel-norm term in the local score', settings: { cip: { beta: 0 } } },
  { id: 'no-sigmoid', change: 'no sigmoid: the raw statistic', settings: { cip: { sigmoid: false } } },
  { id: 'raw-contributions', change: 'no row normalisation: raw contributions propagate (NISP-like)', settings: { cip: { rowNormalisation: false } } },
  { id: 'lamp-norm', change: "scores made comparable by LAMP's ratio instead of each group's mean", settings: { groupNormalisation: 'lamp' } },
  { id: 'max-norm', change: "scores made comparable by each group's max", settings: { groupNormalisation: 'max' } },
  { id: 'group-kernel', change: "kappa from the whole group's L1 (group-l1's score) instead of the batch-norm fold", settings: { cip: { groupKernel: true } } },
  { id: 'group-kernel-beta-1', change: "kappa from the whole group's L1, beta 1", settings: { cip: { groupKernel: true, beta: 1 } } },
  {
    id: 'group-kernel-local',
    change: "kappa from the whole group's L1, beta 1, alpha 0: nothing propagated",
    settings: { cip: { groupKernel: true, beta: 1, alpha: 0 } },
  },
  {
    id: 'continuous',
    change: "CIP-SPEC section 5's continuous schedule: soft gates on a cubic ramp for half the epochs, fine-tuning the other half",
    settings: (epochs) => variantSettings('schedule=continuous', epochs),
  },
  {
    id: 'writer-spread',
    change: "a group with several writers (residual streams) keeps their typical spread, not their mean's narrower one",
    settings: { cip: { writerSpread: true } },
  },
  // Not CIP: the criterion that measured best in bench:papers, fine-tuned the same way, as a yardstick.
  { id: 'group-l1', change: 'reference, not CIP: the group-l1 criterion', settings: { criterion: 'group-l1' } },
];

const seedOf = (r: AblationRun) => r.seed ?? 1;

/**
 * A variant's run options. Every row ablates CIP-SPEC's own defaults, the writers' plain mean included, as they were
 * measured (Pruneflow's own defaults differ since session 11: groupKernel, beta 1 and writerSpread, docs/cip.md).
 */
const settingsOf = (v: Variant, epochs: number): Partial<PruneConfig> => {
  const settings = typeof v.settings === 'function' ? v.settings(epochs) : v.settings;
  return { ...settings, cip: { ...CIP_SPEC_SWITCHES, ...settings.cip } };
};

interface AblationRun {
  id: string;
  epochs: number;
  /** Absent in runs stored before seeds could be chosen: seed 1. */
  seed?: number;
  flopsCut: number;
  pruneOnly: number;
  accuracy: number;
  baseline: number;
  seconds: number;
  loadAverage: number;
}

const RESULTS = fileURLToPath(new URL('../../../test/bench/cip-ablation-results.json', import.meta.url));
const DOC = fileURLToPath(new URL('../../../docs/cip.md', import.meta.url));
const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

function epochsFromArgs(args: readonly string[]): number {
  const given = flagValue(args, '--epochs');
  if (given === undefined) return FULL_PROTOCOL.fineTune.epochs;
  const value = Number(given);
  if (!Number.isInteger(value) || value < 0 || value > 100) throw new Error(`--epochs: expected a whole number from 0 to 100`);
  return value;
}

/** `--seed n` (1 by default): the protocol's seed for calibration, shuffling and initialisation. */
function seedFromArgs(args: readonly string[]): number {
  const given = flagValue(args, '--seed');
  if (given === undefined) return 1;
  const value = Number(given);
  if (!Number.isInteger(value) || value < 1 || value > 1000) throw new Error('--seed: expected a whole number from 1 to 1000');
  return value;
}

/** `--only a,b`: those variants alone (an 8-epoch run of one variant costs a quarter of an hour here). */
function variantsFromArgs(args: readonly string[]): Variant[] {
  const given = flagValue(args, '--only');
  if (given === undefined) return VARIANTS;
  const wanted = given.split(',');
  const unknown = wanted.filter((id) => !VARIANTS.some((v) => v.id === id));
  if (unknown.length) throw new Error(`--only: unknown variant ${unknown.join(', ')}; known: ${VARIANTS.map((v) => v.id).join(', ')}`);
  return VARIANTS.filter((v) => wanted.includes(v.id));
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** Test images of the protocol: one seed's score moves by sqrt(p(1 - p) / n) from the test set alone. */
const TEST_IMAGES = 2000;

/** Which variants differ from the defaults by more than two standard errors of a difference of two scores. */
function verdictAgainst(defaults: AblationRun, rows: { v: Variant; r: AblationRun }[]): string {
  const se = (r: AblationRun) => Math.sqrt((r.accuracy * (1 - r.accuracy)) / TEST_IMAGES);
  const others = rows.filter(({ v }) => v.id !== 'defaults');
  const gap = (r: AblationRun) => (r.accuracy - defaults.accuracy) / Math.hypot(se(r), se(defaults));
  const named = (list: typeof others) => list.map(({ v, r }) => `${v.id} (${((r.accuracy - defaults.accuracy) * 100).toFixed(2)})`).join(', ') || 'none';
  return (
    `Against the defaults, more than two standard errors of a difference (one seed, ${TEST_IMAGES} test images): better: ` +
    `${named(others.filter(({ r }) => gap(r) > 2))}; worse: ${named(others.filter(({ r }) => gap(r) < -2))}; ` +
    `the rest within noise: ${named(others.filter(({ r }) => Math.abs(gap(r)) <= 2))}.`
  );
}

function report(runs: AblationRun[]): string {
  const budgets = [...new Set(runs.map((r) => r.epochs))].sort((a, b) => a - b);
  const rowsOf = (epochs: number, seed?: number) =>
    VARIANTS.flatMap((v) => runs.filter((r) => r.id === v.id && r.epochs === epochs && (seed === undefined || seedOf(r) === seed)).map((r) => ({ v, r })));
  const rows = budgets.flatMap((epochs) => rowsOf(epochs));
  const verdicts = budgets.map((epochs) => {
    const defaults = rowsOf(epochs, 1).find((x) => x.v.id === 'defaults');
    const verdict = defaults ? verdictAgainst(defaults.r, rowsOf(epochs, 1)) : 'The defaults have not run at this budget.';
    return `${epochs} epochs, seed 1: ${verdict}`;
  });
  return [
    "## 10. Ablations on the papers' protocol (`npm run bench:cip-ablation`)",
    '',
    `ResNet-20 with 1x1-conv shortcuts, the papers' baseline (bench:papers), CIFAR-10 subset (10,000 training, 2,000 test images),` +
      " pruned by CIP to 50% fewer FLOPs with global ranking, then fine-tuned with the papers' recipe (SGD nesterov, lr 0.01 cosine, " +
      "weight decay 5e-4, batch 128) for the epochs given; seed 1 unless the row says; one switch changed at a time from CIP-SPEC's defaults " +
      "(Pruneflow's own defaults differ since session 11: groupKernel, beta 1, writerSpread; see the text below). This machine: 2 cores, shared.",
    '',
    '| variant | change | epochs | seed | FLOPs cut | after pruning | after fine-tuning | change from baseline | seconds | load |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      ({ v, r }) =>
        `| ${v.id} | ${v.change} | ${r.epochs} | ${seedOf(r)} | ${(r.flopsCut * 100).toFixed(1)}% | ${pct(r.pruneOnly)} | **${pct(r.accuracy)}** | ` +
        `${((r.accuracy - r.baseline) * 100).toFixed(2)} | ${r.seconds.toFixed(0)} | ${r.loadAverage.toFixed(1)} |`,
    ),
    '',
    ...verdicts.flatMap((v) => [v, '']),
  ]
    .join('\n')
    .trimEnd();
}

const writeSection = (body: string) => writeReportSection('cip-ablation', body, 'npm run bench:cip-ablation', DOC);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const epochs = epochsFromArgs(args);
  const seed = seedFromArgs(args);
  const stored: AblationRun[] = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as AblationRun[]) : [];
  if (args.includes('--report')) return writeSection(report(stored));
  const paths = papersPaths('full');
  const model = join(paths.baselineDir, 'model.json');
  if (!existsSync(model)) throw new Error(`No papers baseline at ${model}: run \`npm run bench:papers\` first (it trains one).`);
  await wasmCandidate.load();
  const data = cifarSubsetPath();
  const replicas = Math.min(availableParallelism(), 4);
  let last = 0;
  const context: RunContext = {
    ...nodeRunHost('user'),
    backend: 'wasm',
    trainingReplicas: replicas > 1 ? { replicas, spawnReplica: nodeReplicaSpawner() } : undefined,
    onProgress: (p) => {
      if (Date.now() - last < 60_000) return;
      last = Date.now();
      log(`  ${p.stage}: ${p.total ? `${p.step}/${p.total} ` : ''}${p.message}`);
    },
  };
  for (const variant of variantsFromArgs(args)) {
    if (stored.some((r) => r.id === variant.id && r.epochs === epochs && seedOf(r) === seed)) continue;
    log(`${variant.id}: ${variant.change}`);
    const started = performance.now();
    const config = { ...pruneflowConfig(FULL_PROTOCOL, model, data, 'cip', 0.5, seed), fineTuneEpochs: epochs, ...settingsOf(variant, epochs) };
    const result = await runPruning(config, context);
    const run: AblationRun = {
      id: variant.id,
      epochs,
      seed,
      flopsCut: 1 - result.pruned.flops / result.baseline.flops,
      pruneOnly: result.pruneOnly.accuracy,
      accuracy: result.pruned.accuracy,
      baseline: result.baseline.accuracy,
      seconds: (performance.now() - started) / 1000,
      loadAverage: loadavg()[0],
    };
    stored.push(run);
    writeFileSync(RESULTS, `${JSON.stringify(stored, null, 2)}\n`);
    writeSection(report(stored));
    log(`${variant.id}: after pruning ${pct(run.pruneOnly)}, after ${epochs} epochs ${pct(run.accuracy)} (${run.seconds.toFixed(0)} s)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
