import type { BackendId } from '../../core/backend/backend-report.js';
import { FLOPS_CONVENTION } from '../../core/models/model-cost.js';
import { backendPlan, INFER_BATCHES, MODELS, type ModelKey, type Phase, TORCH, TRAIN_BATCH, WASM_TARGETS } from './config.js';
import type { MachineFacts } from './machine.js';
import type { TfjsModelFacts } from './model-facts.js';
import type { Measurement } from './run-phase.js';
import { bestTorch, type TorchReport } from './torch-reference.js';

/** Everything one bench run found, and its rendering as a plain-text table and as docs/benchmarks.md. */
export interface BackendResult {
  model: ModelKey;
  backend: BackendId;
  train: Measurement;
  infer: Record<number, Measurement>;
}

export interface BenchRun {
  machine: MachineFacts;
  loadAverageAtEnd: number[];
  seconds: number;
  torch: TorchReport;
  tfjsFacts: TfjsModelFacts[];
  probes: { id: BackendId; probe: Measurement }[];
  results: BackendResult[];
}

const HEADER = [
  'model',
  'backend',
  `train b${TRAIN_BATCH}`,
  ...INFER_BATCHES.map((b) => `infer b${b}`),
  'train ×torch',
  ...INFER_BATCHES.map((b) => `infer b${b} ×torch`),
  'notes',
];

const modelLabel = (key: ModelKey) => MODELS.find((m) => m.key === key)?.label ?? key;

export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

function rateCell(m: Measurement): string {
  if (m.imagesPerSecond === undefined) return '–';
  return `${m.upperBound ? '<' : ''}${formatRate(m.imagesPerSecond)}`;
}

function ratioCell(m: Measurement, torch: number | undefined): string {
  if (m.imagesPerSecond === undefined || torch === undefined) return '';
  const ratio = m.imagesPerSecond / torch;
  return `${m.upperBound ? '<' : ''}${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}x`;
}

function describe(phase: string, m: Measurement, fullPlan: boolean): string | undefined {
  const parts: string[] = [];
  if (m.status === 'skipped' || m.status === 'unavailable' || m.status === 'failed') parts.push(m.status);
  if (m.timedSteps && (!fullPlan || m.status !== 'ok')) {
    parts.push(`${m.timedSteps} step${m.timedSteps > 1 ? 's' : ''}${m.warmupSteps ? ` after ${m.warmupSteps} warm-up` : ', no warm-up'}`);
  }
  if (m.note) parts.push(m.note);
  if (m.leakedTensorsPerStep) parts.push(`leaks ${m.leakedTensorsPerStep.toFixed(1)} tensors/step`);
  return parts.length ? `${phase}: ${parts.join(', ')}` : undefined;
}

function torchPhase(run: BenchRun, model: ModelKey, phase: Phase, batch: number) {
  return bestTorch(run.torch, model, phase, batch);
}

function torchRow(run: BenchRun, model: ModelKey): string[] | undefined {
  if (!run.torch.available) return undefined;
  const train = torchPhase(run, model, 'train', TRAIN_BATCH);
  const infers = INFER_BATCHES.map((b) => torchPhase(run, model, 'infer', b));
  const short = (f: string | undefined) => (f === 'channels_last' ? 'CL' : f === 'contiguous' ? 'NCHW' : '?');
  const formats = `faster layout: train ${short(train?.format)}, ${INFER_BATCHES.map((b, i) => `b${b} ${short(infers[i]?.format)}`).join(', ')}`;
  const rate = (r: { imagesPerSecond: number } | undefined) => (r ? formatRate(r.imagesPerSecond) : '–');
  return [
    modelLabel(model),
    `PyTorch ${run.torch.torch} (${run.torch.threads} threads)`,
    rate(train),
    ...infers.map(rate),
    '1x',
    ...INFER_BATCHES.map(() => '1x'),
    formats,
  ];
}

export function tableRows(run: BenchRun): string[][] {
  const rows: string[][] = [];
  for (const { key } of run.tfjsFacts) {
    const reference = torchRow(run, key);
    if (reference) rows.push(reference);
    for (const result of run.results.filter((r) => r.model === key)) {
      const fullPlan = backendPlan(result.backend).plan.warmup > 0;
      const torchTrain = torchPhase(run, key, 'train', TRAIN_BATCH)?.imagesPerSecond;
      const notes = [describe('train', result.train, fullPlan), ...INFER_BATCHES.map((b) => describe(`b${b}`, result.infer[b], fullPlan))];
      rows.push([
        modelLabel(key),
        `tfjs ${result.backend}`,
        rateCell(result.train),
        ...INFER_BATCHES.map((b) => rateCell(result.infer[b])),
        ratioCell(result.train, torchTrain),
        ...INFER_BATCHES.map((b) => ratioCell(result.infer[b], torchPhase(run, key, 'infer', b)?.imagesPerSecond)),
        notes.filter(Boolean).join('; '),
      ]);
    }
  }
  return rows;
}

export function textTable(rows: string[][]): string {
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, c) => Math.max(...all.map((r) => (c === HEADER.length - 1 ? 0 : r[c].length))));
  const line = (r: string[]) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : c === r.length - 1 ? cell : cell.padStart(widths[c]))).join('  ');
  return [line(HEADER), ...rows.map(line)].join('\n');
}

function markdownTable(header: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.map(escape).join(' | ')} |`).join('\n');
}

const millions = (n: number) => `${(n / 1e6).toFixed(3)}M`;

export function parameterRows(run: BenchRun): string[][] {
  return run.tfjsFacts.map((facts) => {
    const torch = run.torch.available ? run.torch.models[facts.key] : undefined;
    const published = MODELS.find((m) => m.key === facts.key)?.published;
    const same = torch ? (torch.trainable === facts.trainable && torch.total === facts.total && torch.macs === facts.macs ? 'yes' : 'NO') : '';
    return [
      modelLabel(facts.key),
      facts.trainable.toLocaleString('en-US'),
      torch ? torch.trainable.toLocaleString('en-US') : '',
      facts.total.toLocaleString('en-US'),
      torch ? torch.total.toLocaleString('en-US') : '',
      millions(facts.macs),
      torch ? millions(torch.macs) : '',
      same,
      published ? `${millions(published.parameters)} params, ${millions(published.macs)} MACs` : '–',
    ];
  });
}

/** The tfjs models against their published sizes (ResNet-20: 0.27M parameters, 40.8M MACs). */
export function publishedLines(run: BenchRun): string[] {
  return run.tfjsFacts.flatMap((facts) => {
    const published = MODELS.find((m) => m.key === facts.key)?.published;
    if (!published) return [];
    const off = (ours: number, theirs: number) => `${(((ours - theirs) / theirs) * 100).toFixed(1)}%`;
    return [
      `- ${modelLabel(facts.key)}: ${facts.trainable.toLocaleString('en-US')} trainable parameters against the published ${millions(published.parameters)} ` +
        `(${off(facts.trainable, published.parameters)}); ${millions(facts.macs)} MACs against ` +
        `${millions(published.macs)} (${off(facts.macs, published.macs)}). Source: ${published.source}.`,
    ];
  });
}

/** A warning when other work was running: PyTorch's two threads suffer most from sharing two cores. */
export function loadWarning(run: BenchRun): string | undefined {
  const load = Math.max(run.machine.loadAverage[0], run.loadAverageAtEnd[0]);
  if (load < run.machine.cores * 0.5) return undefined;
  return (
    `Warning: the machine was busy (1-minute load average up to ${load} on ${run.machine.cores} cores). ` +
    'Both sides were slowed, PyTorch with two threads usually the most, so the ratios flatter tfjs and the numbers are noisy.'
  );
}

const PARAMETER_HEADER = [
  'model',
  'tfjs trainable',
  'torch trainable',
  'tfjs all weights',
  'torch params + BN buffers',
  'tfjs MACs (countFlops)',
  'torch MACs (hooks)',
  'identical',
  'published',
];

export function parameterText(run: BenchRun): string {
  const rows = parameterRows(run);
  const all = [PARAMETER_HEADER, ...rows];
  const widths = PARAMETER_HEADER.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  return all.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ')).join('\n');
}

export function targetLines(run: BenchRun): string[] {
  if (!run.torch.available) return ['- No PyTorch reference in this run: the targets could not be checked.'];
  const lines: string[] = [];
  for (const result of run.results.filter((r) => r.backend === 'wasm')) {
    const check = (m: Measurement, torch: number | undefined, target: number, what: string) => {
      if (m.imagesPerSecond === undefined || torch === undefined) return `${what} not measured`;
      const ratio = m.imagesPerSecond / torch;
      return `${what} ${ratio.toFixed(3)}x of ${target}x: ${ratio >= target ? '**met**' : 'not met'}`;
    };
    const parts = [
      check(result.train, torchPhase(run, result.model, 'train', TRAIN_BATCH)?.imagesPerSecond, WASM_TARGETS.train, 'train'),
      ...INFER_BATCHES.map((b) => check(result.infer[b], torchPhase(run, result.model, 'infer', b)?.imagesPerSecond, WASM_TARGETS.infer, `infer b${b}`)),
    ];
    lines.push(`- ${modelLabel(result.model)} on wasm: ${parts.join('; ')}.`);
  }
  return lines.length ? lines : ['- The wasm backend was not measured in this run.'];
}

export function markdownReport(run: BenchRun): string {
  const m = run.machine;
  const torch = run.torch;
  const cpuPlan = backendPlan('cpu');
  const plan = backendPlan('wasm');
  const probeLines = run.probes.map(({ id, probe }) =>
    probe.status === 'ok' ? `- **${id}**: available (${(probe.details ?? []).join(', ')})` : `- **${id}**: ${probe.status}: ${probe.note ?? ''}`,
  );
  return (
    `## TensorFlow.js backends against PyTorch

How fast Pruneflow trains and runs its CNNs on each TensorFlow.js backend this machine offers, side by
side with PyTorch on the same CPU, the same architectures and the same batch.

### Last run: ${m.date}

- CPU: ${m.cpu}, ${m.cores} cores available to the process, ${m.memoryGiB} GiB memory; ${m.os}
- Node ${m.node}; ${m.tfjs}
- PyTorch: ${
      torch.available
        ? `${torch.torch} (${torch.python}), ${torch.threads} ` + `threads, MKL-DNN ${torch.mkldnn ? 'on' : 'off'}`
        : `not available (${torch.reason})`
    }
- Load average (1, 5, 15 min) at the start ${m.loadAverage.join(', ')}, at the
  end ${run.loadAverageAtEnd.join(', ')}; the bench took ${run.seconds.toFixed(0)} s

### Method

- Models: the small VGG-style CNN (\`buildSmallVgg\`) and CIFAR ResNet-20 (\`buildCifarResNet(20, ...)\`, option-A
  zero-padding shortcuts), input 32x32x3, 10 classes, random images, fixed labels.
- Training: one step is the project's step (as \`core/train/fit.ts\`): \`optimizer.minimize\` of
  \`tf.losses.softmaxCrossEntropy\` on the logits of \`model.apply(x, {training: true})\`, SGD with momentum 0.9,
  batch ${TRAIN_BATCH}, timed until the loss is read back. Inference: \`model.predict\` on batches of ${INFER_BATCHES.join(' and ')}, ` +
    `timed until the output is read back.
- Each measurement runs in a fresh worker thread that loads its backend through \`nodeCandidates\` (core/node/node-backends.ts).
  ${plan.plan.warmup} warm-up steps, then up to ${plan.plan.maxSteps} timed steps (at
  least ${plan.plan.minSteps}; no new step after ${plan.plan.softBudgetMs / 1000} s);
  images per second = batch / median step time.
- The pure-JavaScript \`cpu\` backend is ${cpuPlan.note}. A step the cap cuts short gives an upper bound (\`<\`).
- PyTorch (\`test/bench/torch_reference.py\`): the same architectures (conv3x3 without bias + BatchNorm + ReLU, max pooling 2,
  global average pooling, linear; ResNet-20 with subsample-and-zero-pad shortcuts), SGD momentum 0.9, cross-entropy,
  \`torch.set_num_threads(${TORCH.threads})\`, ${torch.available ? torch.warmup : TORCH.warmup} ` +
    `warm-up then the median of ${torch.available ? torch.steps : TORCH.steps} timed steps, run in both
  NCHW and channels-last layouts: the faster of the two is the reference. Inference under \`torch.inference_mode()\` in eval mode.
- Ratios (×torch) are tfjs images per second over PyTorch's, for the same model, phase and batch.

### Results (images per second)
${loadWarning(run) ? `\n> ${loadWarning(run)}\n` : ''}
${markdownTable(HEADER, tableRows(run))}

### Targets

The project aims for the wasm backend to reach at least ${WASM_TARGETS.train}x PyTorch's training speed and ${WASM_TARGETS.infer}x its inference speed.

${targetLines(run).join('\n')}

### Model check: parameters and FLOPs

${FLOPS_CONVENTION}. tfjs counts batch-norm moving statistics as weights (\`countParameters\`); PyTorch keeps them as
buffers, so the "all weights" columns add them (without \`num_batches_tracked\`).

${markdownTable(PARAMETER_HEADER, parameterRows(run))}

${publishedLines(run).join('\n')}

### Backends

${probeLines.join('\n')}
`
  );
}
