import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../build/run.js';

/**
 * The Python with torch, torchvision, onnx (and onnxruntime) that interop tests use to make fixtures and
 * check files: $PRUNEFLOW_PYTHON, else ./.venv/bin/python in the repository. A reference tool, never a
 * runtime dependency. Absent, the tests that need it fail with this message, never skip.
 */
export function referencePython(): string {
  const candidates = [process.env.PRUNEFLOW_PYTHON, join(ROOT, '.venv/bin/python')].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'No reference Python for the interop tests: set PRUNEFLOW_PYTHON to a python with torch, torchvision and onnx, ' +
        `or create ${join(ROOT, '.venv')} with them (looked at: ${candidates.join(', ') || 'nothing'}).`,
    );
  }
  return found;
}

const exec = promisify(execFile);

/** Runs a Python script of the repository with the reference Python; its output on success, its errors on failure. */
export async function runPython(args: string[], timeoutMs = 600_000): Promise<string> {
  const python = referencePython();
  try {
    const { stdout } = await exec(python, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${python} ${args.join(' ')} failed:\n${stdout}\n${stderr}`.slice(-6000));
  }
}
