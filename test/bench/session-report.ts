import type { PruneConfig } from '../../core/api/contract.js';
import type { MachineFacts } from './machine.js';

/** The issue's target: Pruneflow's session takes at most twice Torch-Pruning's plus PyTorch's wall time. */
export const SESSION_TARGET = 2;

export class SessionOutputError extends Error {
  override name = 'SessionOutputError';
}

/** What the benchmark reads from the CLI's own output and from `pruneflow project info --json`. */
export interface CliSession {
  /** The backend the CLI reported (`backend: wasm (chosen automatically)`), with its report's detail lines. */
  backend: string;
  backendDetails: string[];
  /** Engines fine-tuning trained on, from its progress lines (`N engines`; one when none is said). */
  trainingEngines: number;
  /** The session's status in the project (done when it finished). */
  status: string;
  baselineAccuracy: number;
  pruneOnlyAccuracy: number;
  accuracy: number;
  flopsCut: number;
  /** The run's own seconds, as the project records them (without the process's start and exit). */
  sessionSeconds: number;
}

export interface PruneflowSide extends CliSession {
  wallSeconds: number;
  cpuSeconds?: number;
  cores: number;
  command: string;
  config: Partial<PruneConfig>;
}

export type TorchSide =
  | {
      ran: true;
      wallSeconds: number;
      cpuSeconds?: number;
      threads: number;
      torch: string;
      torchPruning: string;
      baselineAccuracy: number;
      pruneOnlyAccuracy: number;
      accuracy: number;
      flopsCut: number;
      secondsPerEpoch: number;
    }
  | { ran: false; reason: string };

export interface SessionBenchReport {
  mode: 'full' | 'tiny';
  /** The folder holding the project, the config file and the tiny data cut. */
  scratch: string;
  machine: MachineFacts;
  loadBefore: number[];
  loadAfter: number[];
  protocol: {
    trainImages: number;
    testImages: number;
    criterion: string;
    flopsCut: number;
    epochs: number;
    batchSize: number;
    learningRate: number;
    weightDecay: number;
  };
  baseline: { torchAccuracy: number; pruneflowAccuracy: number };
  pruneflow: PruneflowSide;
  torch: TorchSide;
  target: number;
  /** Pruneflow's wall time over Torch-Pruning's; absent when Torch-Pruning did not run. */
  ratio?: number;
  met?: boolean;
}

interface SummaryJson {
  accuracy: number;
  flops: number;
}

/** The part of `pruneflow project info --json` read here. */
export interface ProjectInfoJson {
  sessions: {
    status: string;
    result?: { baseline: SummaryJson; pruned: SummaryJson; pruneOnlyAccuracy: number; seconds: number };
  }[];
}

/** The CLI's stderr (backend report, one line per stage start and end) and the project's record of the session. */
export function parseCliSession(stderr: string, info: ProjectInfoJson): CliSession {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith('backend: '));
  if (at < 0) throw new SessionOutputError(`The CLI printed no backend report (a line 'backend: ...') on stderr: ${stderr.slice(0, 200)}`);
  const backend = lines[at].slice('backend: '.length);
  // The report's lines on the chosen backend and on forward passes (those on candidates not chosen are left out).
  const active = backend.split(' ')[0];
  const details = [];
  for (let i = at + 1; i < lines.length && lines[i].startsWith('  '); i++) {
    const detail = lines[i].trim();
    if (detail.startsWith(`${active}:`) || detail.startsWith('forward passes:')) details.push(detail);
  }
  const tuning = lines.filter((l) => l.startsWith('fine-tuning: '));
  if (tuning.length === 0) throw new SessionOutputError(`The CLI printed no fine-tuning progress on stderr: ${stderr.slice(-300)}`);
  const engines = tuning.map((l) => Number(/, (\d+) engines\b/.exec(l)?.[1] ?? 1));
  if (info.sessions.length !== 1) throw new SessionOutputError(`The project holds ${info.sessions.length} sessions, not the one just run`);
  const [session] = info.sessions;
  if (!session.result) throw new SessionOutputError(`The project's session has no result (status ${session.status})`);
  const { result } = session;
  return {
    backend,
    backendDetails: details,
    trainingEngines: Math.max(...engines),
    status: session.status,
    baselineAccuracy: result.baseline.accuracy,
    pruneOnlyAccuracy: result.pruneOnlyAccuracy,
    accuracy: result.pruned.accuracy,
    flopsCut: 1 - result.pruned.flops / result.baseline.flops,
    sessionSeconds: result.seconds,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const secs = (x: number) => `${x.toFixed(1)} s`;
const use = (cpu: number | undefined, wall: number) => (cpu === undefined ? 'not measured (no /proc)' : `${((cpu / wall) * 100).toFixed(0)}% of one core`);

/** The plain-text block the benchmark prints last: the numbers the issue asks for, one per line. */
export function resultBlock(r: SessionBenchReport): string {
  const p = r.pruneflow;
  const t = r.torch;
  const lines = [
    `=== bench:session result (${r.mode === 'tiny' ? 'TINY MODE: not the protocol, a check that both sides run' : 'full protocol'}) ===`,
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores; load average ${r.loadBefore.join(' / ')} before, ${r.loadAfter.join(' / ')} after`,
    `protocol: ResNet-20 (1x1 shortcuts), ${r.protocol.criterion.toUpperCase()} at ${r.protocol.flopsCut * 100}% FLOPs, ${r.protocol.epochs} epoch(s) of SGD ` +
      `(lr ${r.protocol.learningRate}, wd ${r.protocol.weightDecay}, batch ${r.protocol.batchSize}) on ${r.protocol.trainImages} images, ` +
      `${r.protocol.testImages} test images`,
    `baseline: ${pct(r.baseline.torchAccuracy)} (PyTorch), ${pct(r.baseline.pruneflowAccuracy)} (converted)`,
    `Pruneflow wall time: ${secs(p.wallSeconds)} (the session's own ${secs(p.sessionSeconds)}); CPU use ${use(p.cpuSeconds, p.wallSeconds)} ` +
      `on ${p.cores} cores`,
    `Pruneflow engine: backend ${p.backend}; fine-tuning on ${p.trainingEngines} engine${p.trainingEngines === 1 ? '' : 's'}` +
      `${p.backendDetails.length ? `; ${p.backendDetails.join('; ')}` : ''}`,
    `Pruneflow accuracy: ${pct(p.accuracy)} after fine-tuning (${pct(p.pruneOnlyAccuracy)} after pruning), ` +
      `FLOPs -${(p.flopsCut * 100).toFixed(1)}%; session ${p.status}`,
    ...(t.ran
      ? [
          `Torch-Pruning ${t.torchPruning} + PyTorch ${t.torch} (${t.threads} threads) wall time: ${secs(t.wallSeconds)}; ` +
            `CPU use ${use(t.cpuSeconds, t.wallSeconds)}`,
          `Torch-Pruning accuracy: ${pct(t.accuracy)} after fine-tuning (${pct(t.pruneOnlyAccuracy)} after pruning), FLOPs -${(t.flopsCut * 100).toFixed(1)}%`,
          `ratio (Pruneflow / Torch-Pruning wall time): ${r.ratio!.toFixed(2)}x against the target of at most ${r.target}x: ${r.met ? 'MET' : 'MISSED'}`,
        ]
      : [`Torch-Pruning: NOT RUN: ${t.reason}`, `ratio: not measured (Torch-Pruning did not run)`]),
  ];
  return lines.join('\n');
}

/** The section of docs/benchmarks.md. */
export function sessionMarkdown(r: SessionBenchReport): string {
  const p = r.pruneflow;
  const t = r.torch;
  const row = (name: string, wall: number, cpu: number | undefined, engine: string, a: { pruneOnlyAccuracy: number; accuracy: number; flopsCut: number }) =>
    `| ${name} | ${secs(wall)} | ${use(cpu, wall)} | ${engine} | -${(a.flopsCut * 100).toFixed(1)}% | ${pct(a.pruneOnlyAccuracy)} | ${pct(a.accuracy)} |`;
  return [
    '## Pruning session against Torch-Pruning (issue 18)',
    '',
    `Last run: ${r.machine.date}${r.mode === 'tiny' ? ' (**tiny mode**: 256 images, 1 epoch; it checks that both sides run, it measures nothing)' : ''}, ` +
      `${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}; load average ${r.loadBefore.join(' / ')} before, ${r.loadAfter.join(' / ')} after.`,
    '',
    `One session on the published protocol, side by side in one run (\`npm run bench:session\`; \`-- --tiny\` for the check): ResNet-20 with 1x1`,
    `shortcuts trained by PyTorch (bench:papers' baseline, converted and checked), ${r.protocol.criterion.toUpperCase()} with global ranking to`,
    `${r.protocol.flopsCut * 100}% fewer FLOPs, fine-tuned ${r.protocol.epochs} epoch(s) with PyTorch's recipe (SGD, Nesterov momentum 0.9, lr`,
    `${r.protocol.learningRate} cosine, weight decay ${r.protocol.weightDecay} on every parameter, batch ${r.protocol.batchSize}, crops and flips) on the`,
    `CIFAR-10 subset's ${r.protocol.trainImages.toLocaleString('en')} training images, evaluated on ${r.protocol.testImages.toLocaleString('en')} test images.`,
    `Pruneflow runs as a user runs it: \`${p.command.replace(/\/[^ ]*\//g, '…/')}\` with the recipe's non-default options in the config file`,
    `(\`${JSON.stringify(p.config)}\`), the session written into a new project, whole process timed. Torch-Pruning (from source) prunes the`,
    `same baseline (its channel ratio bisected to the FLOPs cut) and PyTorch fine-tunes it (${t.ran ? t.threads : 2} threads); its whole Python`,
    'process is timed.',
    "Both times include each side's own extras: Pruneflow's session evaluates the baseline, saves checkpoints into the project and times",
    "the baseline and the pruned model in turn (as every session does); Torch-Pruning's bisection prunes a copy up to 20 times.",
    'CPU use is user+sys time over wall time of each process with its threads and children.',
    '',
    '| engine | wall time | CPU use | runs on | FLOPs | after pruning | after fine-tuning |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row('Pruneflow', p.wallSeconds, p.cpuSeconds, `${p.backend}, fine-tuning on ${p.trainingEngines} engine(s)`, p),
    t.ran
      ? row(`Torch-Pruning ${t.torchPruning}`, t.wallSeconds, t.cpuSeconds, `PyTorch ${t.torch}, ${t.threads} threads`, t)
      : `| Torch-Pruning | not run | | ${t.reason} | | | |`,
    '',
    t.ran
      ? `Pruneflow took ${r.ratio!.toFixed(2)}x Torch-Pruning's wall time: ` +
        (r.mode === 'tiny' ? 'a tiny-mode check, no verdict.' : `the target (at most ${r.target}x) is ${r.met ? 'met' : 'missed'}.`)
      : 'Torch-Pruning did not run: no ratio.',
    `Pruneflow's engine: ${[`backend ${p.backend}`, ...p.backendDetails].join('; ')}.`,
  ].join('\n');
}
