import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../build/run.js';

// The built command line on paths that cannot work: it must say so at once, by name and path, not after a run.
const CLI = join(ROOT, 'dist/core/node/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-cli-targets-'));

function pruneflow(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, PRUNEFLOW_SETTINGS: join(dir, 'absent.json') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pruneflow on targets it cannot use', () => {
  it('refuses `prune --export` onto an existing file before the run, naming it', async () => {
    const taken = join(dir, 'taken');
    writeFileSync(taken, 'mine');
    const { code, stdout, stderr } = await pruneflow(['prune', '--demo', '--epochs', '0', '--fine-tune-epochs', '0', '--export', taken]);
    expect(code).not.toBe(0);
    expect(stderr).toContain(`${taken}: a file is there, not a folder`);
    // Refused before the run: no training or pruning was reported.
    expect(`${stdout}${stderr}`).not.toMatch(/pruning|fine-tuning|evaluating/i);
    expect(readFileSync(taken, 'utf8')).toBe('mine');
  });

  it('refuses to read a FIFO or a device as data, by name, without hanging', async () => {
    const fifo = join(dir, 'data.bin');
    execFileSync('mkfifo', [fifo]);
    for (const path of [fifo, '/dev/zero']) {
      const { code, stderr } = await pruneflow(['data', 'info', path]);
      expect(code, path).not.toBe(0);
      expect(stderr, path).toContain(`${path}: not a regular file`);
    }
  });
});
