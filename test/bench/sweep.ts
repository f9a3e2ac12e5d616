// Sweep benchmark (npm run bench:sweep): a 12-session sweep on the local executor, one worker thread against one
// per core: wall time and the speed-up. Same project, same spec, fresh copy of the project for each run.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSweepSpec } from '../../core/api/sweep.js';
import { nodeProjectStore } from '../../core/node/project-file.js';
import { localExecutor } from '../../core/node/sweep/local-executor.js';
import { parseProject, serializeProject } from '../../core/project/project-codec.js';
import { runSweep } from '../../core/session/sweep-coordinator.js';
import { ROOT } from '../build/run.js';
import { machineFacts } from './machine.js';
import { writeReportSection } from './report-file.js';

const dir = mkdtempSync(join(tmpdir(), 'pruneflow-bench-sweep-'));
process.env.PRUNEFLOW_SETTINGS ??= join(dir, 'no-settings.json');

// The baseline: the demo CNN trained one epoch on a 1,000-image sample of the built-in data.
const made = spawnSync(
  process.execPath,
  [
    join(ROOT, 'dist/core/node/cli.js'),
    'prune',
    '--model',
    'demo-cnn',
    '--data',
    'builtin:fashion-mnist',
    '--project',
    join(dir, 'made.pruneflow'),
    '--epochs',
    '1',
    '--fine-tune-epochs',
    '0',
    '--sample',
    '1000,200',
  ],
  { encoding: 'utf8', env: { ...process.env, PRUNEFLOW_TRAINING_REPLICAS: '1' } },
);
if (made.status !== 0) throw new Error(`making the baseline failed:\n${made.stderr}`);
const base = join(dir, 'base.pruneflow');
writeFileSync(base, await serializeProject({ ...(await parseProject(readFileSync(join(dir, 'made.pruneflow')))), sessions: [] }));

/** 3 criteria x 2 targets x 2 seeds = 12 sessions, one fine-tuning epoch each. */
const spec = (project: string) =>
  parseSweepSpec({
    project,
    axes: {
      criteria: ['l1', 'l2', 'random'],
      targets: [
        { metric: 'flops', reduction: 0.3 },
        { metric: 'flops', reduction: 0.5 },
      ],
      seeds: [1, 2],
    },
    fixed: { sample: { train: 1000, test: 200 }, fineTuneEpochs: 1, batchSize: 32 },
  });

async function timed(workers: number): Promise<number> {
  const project = join(dir, `workers-${workers}.pruneflow`);
  copyFileSync(base, project);
  const executor = localExecutor({ workers });
  const started = performance.now();
  try {
    const summary = await runSweep(spec(project), executor, { store: nodeProjectStore });
    const done = summary.jobs.filter((j) => j.status === 'done').length;
    if (done !== 12) throw new Error(`${workers} worker(s): ${done} of 12 sessions done: ${JSON.stringify(summary.jobs.filter((j) => j.status !== 'done'))}`);
  } finally {
    await executor.close();
  }
  return (performance.now() - started) / 1000;
}

const cores = availableParallelism();
// The load before the runs says whether other work shares the cores; at the end it counts our own workers too.
const before = machineFacts();
const one = await timed(1);
const many = await timed(cores);
const facts = machineFacts();
const loads = (f: typeof facts): string => f.loadAverage.map((l) => l.toFixed(1)).join(' / ');
const lines = [
  '## Sweeps: 12 sessions on the local executor',
  '',
  `Demo CNN on a 1,000/200-image sample of the built-in Fashion-MNIST, 3 criteria x 2 FLOPs targets x 2 seeds, one fine-tuning epoch each; wasm, one ` +
    `engine per worker thread. ${facts.cpu}, ${facts.cores} cores, load ${loads(before)} before the runs ` +
    `(${loads(facts)} at the end, our own workers included), ${facts.date}.`,
  '',
  '| workers | wall time | sessions per minute | speed-up |',
  '|---|---|---|---|',
  `| 1 | ${one.toFixed(1)} s | ${((12 / one) * 60).toFixed(1)} | 1.00x |`,
  `| ${cores} (one per core) | ${many.toFixed(1)} s | ${((12 / many) * 60).toFixed(1)} | ${(one / many).toFixed(2)}x |`,
  ...(before.loadAverage[0] > cores
    ? [
        '',
        `The load average before the runs (${before.loadAverage[0].toFixed(1)}) was above the core count (${cores}): ` +
          `other work held the cores, so this speed-up says little; rerun on a quiet machine.`,
      ]
    : []),
];
console.log(lines.join('\n'));
writeReportSection('sweep', lines.join('\n'), 'npm run bench:sweep');
