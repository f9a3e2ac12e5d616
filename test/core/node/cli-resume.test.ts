import { mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProjectFile } from '../../../core/node/project-file.js';
import { runCli } from './run-cli.js';
import { writeSyntheticCifar } from '../session/synthetic-cifar.js';

// The built command line (npm test builds dist/ first), run as a user would.
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-cli-resume-'));
const data = writeSyntheticCifar(join(dir, 'cifar'), 128, 40);
/** The demo CNN, untrained, four batches a fine-tuning epoch: a run of a few seconds with four epoch checkpoints. */
const prune = (project: string) => [
  'prune',
  '--model',
  'demo-cnn',
  '--data',
  data,
  '--epochs',
  '0',
  '--fine-tune-epochs',
  '4',
  '--batch-size',
  '32',
  '--calibration-batches',
  '1',
  '--seed',
  '3',
  '--project',
  project,
];

/** Runs the CLI; sends `signal` once stderr shows `when` (a checkpoint line), as a crash or Ctrl-C would land. */
const pruneflow = (args: string[], stop?: { when: string; signal: NodeJS.Signals }) =>
  runCli(args, { env: { ...process.env, PRUNEFLOW_SETTINGS: join(dir, 'absent.json') }, stop });

describe('pruneflow resume', () => {
  it('finishes a session killed in fine-tuning and then cancelled with Ctrl-C, as the uninterrupted run ends', async () => {
    const whole = join(dir, 'whole.pruneflow');
    const file = join(dir, 'stopped.pruneflow');
    // SIGKILL right after the first fine-tuning epoch's checkpoint: the process dies in epoch 2.
    const [uninterrupted, killed] = await Promise.all([
      pruneflow([...prune(whole), '--json']),
      pruneflow(prune(file), { when: `fine-tuning epoch 1/4 saved to ${file}`, signal: 'SIGKILL' }),
    ]);
    expect(uninterrupted.code).toBe(0);
    expect(killed.signal).toBe('SIGKILL');
    const record = (await loadProjectFile(file)).sessions[0].record;
    expect(record).toMatchObject({ status: 'running', state: 'fine-tuning', checkpoint: { state: 'fine-tuning', training: { epoch: 1, epochs: 4 } } });

    // Reopened, the session says it was interrupted and how to go on.
    const info = await pruneflow(['project', 'info', file]);
    expect(info.stdout).toMatch(/s1 is interrupted, last checkpoint fine-tuning epoch 1\/4 .*; go on with: pruneflow resume .*stopped\.pruneflow --session s1/);

    // The data set moved meanwhile: resume asks for its new place.
    const moved = join(dir, 'cifar-moved');
    renameSync(data, moved);
    const lost = await pruneflow(['resume', file]);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toMatch(/DatasetMovedError: .*\nGive its new place with --data <path>/);

    // Resumed, then Ctrl-C in its epoch 3: it stops at a batch boundary and keeps epoch 2's checkpoint.
    const cancelled = await pruneflow(['resume', file, '--data', moved], { when: `fine-tuning epoch 2/4 saved to ${file}`, signal: 'SIGINT' });
    expect(cancelled.code).toBe(130);
    expect(cancelled.stderr).toContain('Resuming session s1');
    expect(cancelled.stderr).toContain(`Cancelled: ${file} keeps the session's latest checkpoint; go on with: pruneflow resume ${file}`);
    const project = await loadProjectFile(file);
    expect(project.dataset.path).toBe(moved);
    expect(project.sessions[0].record).toMatchObject({ status: 'cancelled', checkpoint: { training: { epoch: 2, epochs: 4 } } });

    const resumed = await pruneflow(['resume', file, '--session', 's1', '--json']);
    expect(resumed.code).toBe(0);
    const [expected, result] = [JSON.parse(uninterrupted.stdout), JSON.parse(resumed.stdout)];
    // Same seed, same checkpoints: the same weights to the bit, so the same accuracy.
    expect(result.pruned.accuracy).toBe(expected.pruned.accuracy);
    expect(result.pruneOnly.accuracy).toBe(expected.pruneOnly.accuracy);
    const [a, b] = [(await loadProjectFile(whole)).sessions[0], (await loadProjectFile(file)).sessions[0]];
    expect(Buffer.from(b.weights).equals(Buffer.from(a.weights))).toBe(true);
    expect(b.record).toMatchObject({ status: 'done', state: 'done' });

    const again = await pruneflow(['resume', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/NothingToResumeError: Every session of .* is finished: there is nothing to resume/);
    // Five CLI runs, each fine-tuning on one engine per core (worker threads that load tfjs and wasm): 265 s at load 21.
  }, 400_000);
});
