import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../build/run.js';

/**
 * The Python with the reference tools (PyTorch, ONNX, ONNX Runtime, Keras 3) that interop tests use to make
 * fixtures and check our files: PRUNEFLOW_PYTHON, else the repository's .venv made by `npm run setup:python`.
 * A reference tool, never a runtime dependency. Absent, the tests that need it fail saying what to run, never skip.
 */
export function referencePython(): string {
  const python = process.env.PRUNEFLOW_PYTHON || join(ROOT, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`No reference Python for the interop tests at ${python}: run \`npm run setup:python\` once (or set PRUNEFLOW_PYTHON).`);
  }
  return python;
}

const exec = promisify(execFile);

/** Runs a Python script of the repository with the reference Python; its output on success, its errors on failure. */
export async function runPython(args: string[], timeoutMs = 600_000): Promise<string> {
  const python = referencePython();
  try {
    const env = { ...process.env, PYTHONPATH: join(ROOT, 'test', 'interop'), TF_CPP_MIN_LOG_LEVEL: '3' };
    const { stdout } = await exec(python, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${python} ${args.join(' ')} failed:\n${stdout}\n${stderr}`.slice(-6000));
  }
}
