import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../build/run.js';

/**
 * The Python that interop tests run real tools with (Keras 3, ...): $PRUNEFLOW_PYTHON, else ./.venv/bin/python
 * (made by .ci/run). A test that needs it fails, saying so, when neither is there: never a silent skip.
 */
export function pythonPath(): string {
  const fromEnv = process.env.PRUNEFLOW_PYTHON;
  const path = fromEnv || join(ROOT, '.venv', 'bin', 'python');
  if (!existsSync(path)) {
    throw new Error(
      `No Python for the interop tests at ${path}: set PRUNEFLOW_PYTHON to a Python with the reference tools ` +
        '(pip install tensorflow-cpu), or make ./.venv (see .ci/run)',
    );
  }
  return path;
}

/** Runs a Python script with arguments; its stdout, or an error carrying its stderr. */
export async function runPython(script: string, args: string[], timeout = 300_000): Promise<string> {
  const { stdout } = await promisify(execFile)(pythonPath(), [script, ...args], {
    timeout,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', PYTHONDONTWRITEBYTECODE: '1' },
  }).catch((error: Error & { stderr?: string }) => {
    throw new Error(`${script} failed: ${error.message}\n${error.stderr ?? ''}`);
  });
  return stdout;
}
