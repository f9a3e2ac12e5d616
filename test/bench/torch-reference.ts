import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../build/run.js';
import { INFER_BATCHES, type ModelKey, type Phase, TORCH, TRAIN_BATCH } from './config.js';
import { TORCH_SCRIPT as SCRIPT } from './paths.js';

/** Runs test/bench/torch_reference.py (the same CNNs in PyTorch) and reads its JSON. Never throws. */
export interface TorchModelFacts {
  trainable: number;
  total: number;
  macs: number;
}

export interface TorchResult {
  model: ModelKey;
  phase: Phase;
  batch: number;
  format: 'contiguous' | 'channels_last';
  imagesPerSecond: number;
}

export type TorchReport =
  | {
      available: true;
      python: string;
      torch: string;
      threads: number;
      mkldnn: boolean;
      warmup: number;
      steps: number;
      models: Record<ModelKey, TorchModelFacts>;
      results: TorchResult[];
    }
  | { available: false; reason: string };

/**
 * The repository's .venv (`npm run setup:python`) first, then Debian's python3-torch under /usr/bin/python3
 * (`python3` on PATH may be another Python, pyenv's). PRUNEFLOW_BENCH_PYTHON names the one Python to use instead.
 */
export function pythonCandidates(): string[] {
  const chosen = process.env.PRUNEFLOW_BENCH_PYTHON;
  return chosen ? [chosen] : [join(ROOT, '.venv', 'bin', 'python'), '/usr/bin/python3', 'python3'];
}

function runPython(python: string, args: string[], timeoutMs: number): Promise<TorchReport> {
  return new Promise((resolve) => {
    const child = spawn(python, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ available: false, reason: `${python}: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as TorchReport);
      } catch {
        const why = signal ? `killed (${signal}) after ${timeoutMs / 1000} s` : `exited with code ${code}`;
        resolve({ available: false, reason: `${python}: ${why}: ${stderr.trim().split('\n').slice(-2).join(' ')}`.trim() });
      }
    });
  });
}

/** What a bench may change from the backends bench's method (training only, another batch, the papers' SGD). */
export interface TorchOverrides {
  warmup?: number;
  steps?: number;
  trainBatch?: number;
  /** Empty: no inference measured. */
  inferBatches?: readonly number[];
  weightDecay?: number;
  nesterov?: boolean;
}

export async function runTorchReference(models: readonly ModelKey[], overrides: TorchOverrides = {}): Promise<TorchReport> {
  if (!existsSync(SCRIPT)) return { available: false, reason: `script not found: ${SCRIPT}` };
  const args = [
    `--threads=${TORCH.threads}`,
    `--warmup=${overrides.warmup ?? TORCH.warmup}`,
    `--steps=${overrides.steps ?? TORCH.steps}`,
    `--train-batch=${overrides.trainBatch ?? TRAIN_BATCH}`,
    `--infer-batches=${(overrides.inferBatches ?? INFER_BATCHES).join(',')}`,
    `--models=${models.join(',')}`,
    ...(overrides.weightDecay ? [`--weight-decay=${overrides.weightDecay}`] : []),
    ...(overrides.nesterov ? ['--nesterov'] : []),
  ];
  const reasons: string[] = [];
  for (const python of pythonCandidates()) {
    const report = await runPython(python, args, TORCH.timeoutMs);
    if (report.available) return report;
    reasons.push(report.reason);
  }
  return { available: false, reason: reasons.join('; ') };
}

/** The faster memory format for one measurement: the fair reference. */
export function bestTorch(report: TorchReport, model: ModelKey, phase: Phase, batch: number): TorchResult | undefined {
  if (!report.available) return undefined;
  const matches = report.results.filter((r) => r.model === model && r.phase === phase && r.batch === batch);
  return matches.sort((a, b) => b.imagesPerSecond - a.imagesPerSecond)[0];
}
