import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// The built command line on paths that cannot work: it must say so at once, by name and path, not after a run.
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-cli-targets-'));

const pruneflow = (args: string[]) => runCli(args, { env: { ...process.env, PRUNEFLOW_SETTINGS: join(dir, 'absent.json') } });

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
