import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig } from '../../core/api/contract.js';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { machineFacts } from './machine.js';
import { ensurePapersBaseline } from './papers-baseline.js';
import { FULL_PROTOCOL, type PapersProtocol, papersPaths, TINY_PROTOCOL } from './papers-config.js';
import { cutSubset, pruneflowConfig, torchPruningMissing } from './papers-setup.js';
import { runTorchPapers } from './papers-torch.js';
import { cifarSubsetPath } from './quality-config.js';
import { type Finished, measureChildren, runToEnd } from './session-measure.js';
import { parseCliSession, type ProjectInfoJson, type PruneflowSide, type SessionBenchReport, SESSION_TARGET, type TorchSide } from './session-report.js';

// Issue 18's third benchmark: one pruning session on the published protocol (ResNet-20, L1, 50% FLOPs, 8 epochs of
// SGD with weight decay 5e-4 on the CIFAR-10 subset's 10k images, written into a project) by Pruneflow's CLI as a
// user runs it, and by Torch-Pruning plus PyTorch (2 threads) in the same run, from the same PyTorch-trained baseline
// that `npm run bench:papers` uses.

export type SessionMode = 'full' | 'tiny';

export class SessionBenchError extends Error {
  override name = 'SessionBenchError';
}

/** The papers' protocol cut down to the one session of the issue: L1 at 50% FLOPs (the tiny budget: 256 images, 1 epoch). */
export function sessionProtocol(mode: SessionMode): PapersProtocol {
  return { ...(mode === 'tiny' ? TINY_PROTOCOL : FULL_PROTOCOL), cuts: [0.5], seeds: {}, pruneflow: ['l1'], torchPruning: ['l1'] };
}

/** The threads PyTorch gets: the issue's reference is PyTorch at 2 threads. */
export const TORCH_THREADS = 2;

const CLI = fileURLToPath(new URL('../../../dist/core/node/cli.js', import.meta.url));

export interface SessionBenchOptions {
  mode: SessionMode;
  /** Scratch folder for the project, the config file and the tiny data cut (made if absent; its project is replaced). */
  scratch?: string;
  /** Where Torch-Pruning's source is (papersPaths' default: .cache/torch-pruning or PRUNEFLOW_TORCH_PRUNING). */
  torchPruning?: string;
  log?: (line: string) => void;
}

/** Only the options that differ from the defaults: what a user writes into the `--config` file. */
function userConfig(config: PruneConfig): Partial<PruneConfig> {
  const defaults = DEFAULT_PRUNE_CONFIG as unknown as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(config).filter(([key, value]) => !['model', 'data'].includes(key) && JSON.stringify(value) !== JSON.stringify(defaults[key])),
  ) as Partial<PruneConfig>;
}

const failure = (what: string, run: Finished) =>
  new SessionBenchError(
    `${what} ${run.signal ? `was killed (${run.signal})` : `exited with code ${run.code}`}: ${run.stderr.trim().split('\n').slice(-6).join(' | ')}`,
  );

/** Runs both sides one after the other, Pruneflow first; the full mode refuses to run without Torch-Pruning's source. */
export async function runSessionBench(options: SessionBenchOptions): Promise<SessionBenchReport> {
  const log = options.log ?? (() => undefined);
  const protocol = sessionProtocol(options.mode);
  const paths = papersPaths(options.mode);
  const torchPruning = options.torchPruning ?? paths.torchPruning;
  const missing = torchPruningMissing(torchPruning);
  if (missing && options.mode === 'full') throw new SessionBenchError(missing);
  const scratch = options.scratch ?? join(tmpdir(), `pruneflow-session-${options.mode}`);
  await mkdir(scratch, { recursive: true });
  // A new project each run (an existing one would lend its baseline to the session).
  const project = join(scratch, 'session.pruneflow');
  await rm(project, { force: true });

  const source = cifarSubsetPath();
  const data = protocol.images ? await cutSubset(source, join(scratch, 'data'), protocol.images.train, protocol.images.test) : source;
  // The baseline of bench:papers (PyTorch-trained, converted and checked); trained once and kept. A tiny run trains
  // its own in the scratch folder each time: a kept one would be checked against logits of other data.
  await wasmCandidate.load();
  const baselineDir = options.mode === 'tiny' ? join(scratch, 'baseline') : paths.baselineDir;
  if (options.mode === 'tiny') await rm(baselineDir, { recursive: true, force: true });
  const baseline = await ensurePapersBaseline(baselineDir, data, protocol, log);
  const model = join(baselineDir, 'model.json');
  const cut = protocol.cuts[0];
  const loadBefore = loadavg().map((l) => Math.round(l * 100) / 100);

  // Pruneflow: the CLI as a user runs it, the recipe in a config file, the session written into a new project.
  const configFile = join(scratch, 'l1-50.json');
  await writeFile(configFile, JSON.stringify(userConfig(pruneflowConfig(protocol, model, data, 'l1', cut, 1)), null, 2));
  const args = ['prune', '--model', model, '--data', data, '--config', configFile, '--project', project];
  log(`Pruneflow: pruneflow ${args.join(' ')}`);
  const env = { ...process.env, FORCE_COLOR: '0' };
  const cli = await measureChildren(() => runToEnd(process.execPath, [CLI, ...args], env, (line) => log(`  pruneflow: ${line}`)));
  if (cli.value.code !== 0) throw failure('pruneflow prune', cli.value);
  // What the user reads at the end: the CLI's own report of the session.
  cli.value.stdout
    .split('\n')
    .filter((l) => l.trim())
    .forEach((line) => log(`  pruneflow: ${line}`));
  const info = await runToEnd(process.execPath, [CLI, 'project', 'info', project, '--json'], env, () => undefined);
  if (info.code !== 0) throw failure('pruneflow project info', info);
  const pruneflow: PruneflowSide = {
    ...parseCliSession(cli.value.stderr, JSON.parse(info.stdout) as ProjectInfoJson),
    wallSeconds: cli.wallSeconds,
    cpuSeconds: cli.cpuSeconds,
    cores: availableParallelism(),
    command: `pruneflow ${args.join(' ')}`,
    config: userConfig(pruneflowConfig(protocol, model, data, 'l1', cut, 1)),
  };
  log(`Pruneflow: ${pruneflow.wallSeconds.toFixed(1)} s wall, ${(pruneflow.accuracy * 100).toFixed(2)}% after fine-tuning`);

  let torch: TorchSide;
  if (missing) {
    torch = { ran: false, reason: missing };
    log(`Torch-Pruning: not run. ${missing}`);
  } else {
    const recipe = [
      `--epochs=${protocol.fineTune.epochs}`,
      `--lr=${protocol.fineTune.learningRate}`,
      `--wd=${protocol.weightDecay}`,
      `--batch=${protocol.batchSize}`,
    ];
    const measured = await measureChildren(() =>
      runTorchPapers<TorchPruneJson>(
        ['prune', `--data=${data}`, `--baseline=${baselineDir}`, `--tp-path=${torchPruning}`, '--criterion=l1', `--cut=${cut}`, '--seed=1', ...recipe],
        log,
        24 * 3600_000,
        TORCH_THREADS,
      ),
    );
    const r = measured.value;
    torch = {
      ran: true,
      wallSeconds: measured.wallSeconds,
      cpuSeconds: measured.cpuSeconds,
      threads: r.threads,
      torch: r.torch,
      torchPruning: r.torchPruning,
      baselineAccuracy: r.baselineAccuracy,
      pruneOnlyAccuracy: r.pruneOnlyAccuracy,
      accuracy: r.accuracy,
      flopsCut: 1 - r.macs / r.baselineMacs,
      secondsPerEpoch: r.secondsPerEpoch,
    };
    log(`Torch-Pruning: ${torch.wallSeconds.toFixed(1)} s wall, ${(torch.accuracy * 100).toFixed(2)}% after fine-tuning`);
  }
  const ratio = torch.ran ? pruneflow.wallSeconds / torch.wallSeconds : undefined;
  return {
    mode: options.mode,
    scratch,
    machine: machineFacts(),
    loadBefore,
    loadAfter: loadavg().map((l) => Math.round(l * 100) / 100),
    protocol: {
      trainImages: baseline.trainImages,
      testImages: baseline.testImages,
      criterion: 'l1',
      flopsCut: cut,
      epochs: protocol.fineTune.epochs,
      batchSize: protocol.batchSize,
      learningRate: protocol.fineTune.learningRate,
      weightDecay: protocol.weightDecay,
    },
    baseline: { torchAccuracy: baseline.torchAccuracy, pruneflowAccuracy: baseline.pruneflowAccuracy },
    pruneflow,
    torch,
    target: SESSION_TARGET,
    ratio,
    met: ratio === undefined ? undefined : ratio <= SESSION_TARGET,
  };
}

/** What torch_papers.py prune prints last. */
interface TorchPruneJson {
  torch: string;
  threads: number;
  torchPruning: string;
  baselineAccuracy: number;
  pruneOnlyAccuracy: number;
  accuracy: number;
  macs: number;
  baselineMacs: number;
  secondsPerEpoch: number;
}
