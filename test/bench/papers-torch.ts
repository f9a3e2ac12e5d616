import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pythonCandidates } from './torch-reference.js';

const SCRIPT = fileURLToPath(new URL('../../../test/bench/torch_papers.py', import.meta.url));

export class TorchPapersError extends Error {
  override name = 'TorchPapersError';
}

/** PyTorch's noise that says nothing about the run (NNPACK is absent on this CPU; PyTorch falls back). */
const NOISE = /NNPACK|Unsupported hardware/;

/**
 * Runs test/bench/torch_papers.py with `args` (one thread unless told: on a shared machine OpenMP's second thread
 * mostly waits), its progress lines passed to `log`; resolves with the JSON object it prints last, or throws what
 * went wrong.
 */
export function runTorchPapers<T>(args: string[], log: (line: string) => void, timeoutMs = 24 * 3600_000, threads = 1): Promise<T> {
  const python = pythonCandidates().find((p) => (p.includes('/') ? existsSync(p) : true)) ?? 'python3';
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT, ...args, `--threads=${threads}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = chunk
        .toString()
        .split('\n')
        .filter((l) => l.trim() && !NOISE.test(l));
      stderr = [...stderr.split('\n'), ...lines].slice(-20).join('\n');
      lines.forEach((line) => log(`  PyTorch: ${line}`));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new TorchPapersError(`${python}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as T);
      } catch {
        reject(
          new TorchPapersError(
            `${python} torch_papers.py ${args[0]}: ${signal ? `killed (${signal})` : `exit code ${code}`}: ${stderr.split('\n').slice(-4).join(' ')}`,
          ),
        );
      }
    });
  });
}
