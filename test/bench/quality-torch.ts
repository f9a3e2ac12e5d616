import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pythonCandidates } from './torch-reference.js';
import type { QualityBudget, QualityDataset } from './quality-config.js';

const SCRIPT = fileURLToPath(new URL('../../../test/bench/torch_quality.py', import.meta.url));

/** What test/bench/torch_quality.py reports: its baseline and its block-pruned, fine-tuned model. */
export type TorchQuality =
  | {
      available: true;
      python: string;
      torch: string;
      threads: number;
      baseline: { accuracy: number; parameters: number; macs: number; seconds: number };
      pruned: { accuracy: number; pruneOnlyAccuracy: number; parameters: number; macs: number; seconds: number };
    }
  | { available: false; reason: string };

/**
 * Runs the PyTorch reference with the benchmark's budget: it trains the baseline (whose weights it writes to
 * `baselineOut` in tfjs layouts), then block-prunes and fine-tunes it. Never throws: an unavailable torch is a result.
 */
export function runTorchQuality(
  dataPath: string,
  budget: QualityBudget,
  dataset: QualityDataset,
  blockRatio: number,
  baselineOut: string,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<TorchQuality> {
  const python = pythonCandidates().find((p) => (p.includes('/') ? existsSync(p) : true)) ?? 'python3';
  const args = [
    SCRIPT,
    `--data=${dataPath}`,
    `--format=${dataset.format}`,
    `--augment=${dataset.augmentation}`,
    `--train-images=${budget.baseline.images}`,
    `--epochs=${budget.baseline.epochs}`,
    `--learning-rate=${budget.baseline.learningRate}`,
    `--batch=${budget.baseline.batchSize}`,
    `--fine-tune-images=${budget.fineTune.images}`,
    `--fine-tune-epochs=${budget.fineTune.epochs}`,
    `--block-ratio=${blockRatio}`,
    // One thread: on a machine shared with other work, OpenMP's second thread mostly waits at barriers.
    '--threads=1',
    `--baseline-out=${baselineOut}`,
  ];
  return new Promise((resolve) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      chunk
        .toString()
        .trim()
        .split('\n')
        .forEach((line) => line && log(`  PyTorch: ${line}`));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ available: false, reason: `${python}: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as TorchQuality);
      } catch {
        const why = signal ? `killed (${signal}) after ${timeoutMs / 1000} s` : `exited with code ${code}`;
        resolve({ available: false, reason: `${python}: ${why}: ${stderr.trim().split('\n').slice(-2).join(' ')}`.trim() });
      }
    });
  });
}
