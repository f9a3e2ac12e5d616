import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run } from '../build/run.js';

/**
 * The Python with the reference tools (PyTorch, ONNX, ONNX Runtime, Keras 3) that interop tests compare against:
 * PRUNEFLOW_PYTHON, else the repository's .venv made by `npm run setup:python`. Missing, it is a failure that says
 * what to run, never a skipped test.
 */
export function referencePython(): string {
  const python = process.env.PRUNEFLOW_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`No reference Python at ${python}: run \`npm run setup:python\` once (or set PRUNEFLOW_PYTHON).`);
  }
  return python;
}

/** Runs a script of test/interop/ (or any path from the repository root) with the reference Python. */
export function runPython(script: string, args: string[] = []): Promise<string> {
  const path = script.includes('/') ? script : join('test', 'interop', script);
  return run(referencePython(), [path, ...args], { PYTHONPATH: join(ROOT, 'test', 'interop'), TF_CPP_MIN_LOG_LEVEL: '3' });
}
