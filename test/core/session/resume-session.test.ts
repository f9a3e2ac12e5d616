import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig, type SessionState, type TaskProgress } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { readAsset } from '../../../core/node/assets.js';
import { openDataSource } from '../../../core/node/open-data-source.js';
import { loadProjectFile, nodeProjectStore, saveProjectFile } from '../../../core/node/project-file.js';
import { ProjectTamperedError } from '../../../core/project/project-errors.js';
import { openProjectZip, writeZipParts } from '../../../core/project/project-zip.js';
import { createEngine } from '../../../core/session/engine.js';
import { runProjectSession } from '../../../core/session/project-session.js';
import { NothingToResumeError, resumeProjectSession } from '../../../core/session/resume-session.js';
import { writeSyntheticCifar } from './synthetic-cifar.js';

const dir = mkdtempSync(join(tmpdir(), 'pruneflow-resume-'));
const data = writeSyntheticCifar(join(dir, 'cifar'), 96, 40);
/** Baseline training and fine-tuning, three batches an epoch: small, but every checkpoint kind is there. */
const config = (project: string): PruneConfig & { project: string } => ({
  ...DEFAULT_PRUNE_CONFIG,
  model: 'demo-cnn',
  data,
  trainEpochs: 2,
  fineTuneEpochs: 3,
  batchSize: 32,
  calibrationBatches: 1,
  seed: 7,
  project,
});

/** Runs until the first progress of `epoch` of `stage`, then cancels, as Ctrl-C does. */
function cancelling(stage: string, epoch: number) {
  const controller = new AbortController();
  const states: SessionState[] = [];
  return {
    states,
    context: {
      readAsset,
      openDataSource,
      projects: nodeProjectStore,
      backend: 'wasm',
      host: 'test',
      signal: controller.signal,
      onState: (state: SessionState) => states.push(state),
      onProgress: (p: TaskProgress) => {
        if (p.stage === stage && p.metrics?.epoch === epoch) controller.abort();
      },
    },
  };
}
const plain = { readAsset, openDataSource, projects: nodeProjectStore, backend: 'wasm', host: 'test' };

beforeAll(async () => {
  await wasmCandidate.load();
});

describe('a session resumed from its checkpoints', () => {
  const whole = join(dir, 'whole.pruneflow');
  const stopped = join(dir, 'stopped.pruneflow');
  const copy = join(dir, 'copy.pruneflow');

  it('finishes with the same baseline, pruned weights and accuracy as an uninterrupted run', async () => {
    const states: SessionState[] = [];
    const expected = await runProjectSession(config(whole), { ...plain, onState: (s: SessionState) => states.push(s) });
    expect(states).toEqual(['baseline-evaluated', 'importance-computed', 'pruning', 'fine-tuning', 'evaluated', 'done']);

    // Cancelled in the second epoch of baseline training: the project exists, its baseline is epoch 1's.
    const inTraining = cancelling('training', 2);
    await expect(runProjectSession(config(stopped), inTraining.context)).rejects.toThrow(/cancel/i);
    expect(inTraining.states).toEqual(['cancelled']);
    let project = await loadProjectFile(stopped);
    expect(project.sessions[0].record).toMatchObject({
      status: 'cancelled',
      state: 'cancelled',
      checkpoint: { state: 'configured', training: { stage: 'training', epoch: 1, epochs: 2 } },
    });
    expect(project.sessions[0].optimizer?.length).toBeGreaterThan(0);

    // Resumed, and cancelled again in the second fine-tuning epoch.
    const inFineTuning = cancelling('fine-tuning', 2);
    await expect(resumeProjectSession(stopped, undefined, inFineTuning.context)).rejects.toThrow(/cancel/i);
    expect(inFineTuning.states).toEqual(['configured', 'baseline-evaluated', 'importance-computed', 'pruning', 'fine-tuning', 'cancelled']);
    project = await loadProjectFile(stopped);
    const { record } = project.sessions[0];
    expect(record).toMatchObject({
      status: 'cancelled',
      checkpoint: { state: 'fine-tuning', training: { stage: 'fine-tuning', epoch: 1, epochs: 3, optimizer: expect.any(Array) } },
    });
    expect(record.history).toHaveLength(1);
    copyFileSync(stopped, copy);

    const resumedStates: SessionState[] = [];
    const result = await resumeProjectSession(stopped, 's1', { ...plain, onState: (s: SessionState) => resumedStates.push(s) });
    expect(resumedStates).toEqual(['fine-tuning', 'evaluated', 'done']);
    const [a, b] = [await loadProjectFile(whole), await loadProjectFile(stopped)];
    // Bit for bit: the same baseline, removals and weights, so the same accuracy.
    expect(Buffer.from(b.baseline.weights).equals(Buffer.from(a.baseline.weights))).toBe(true);
    expect(b.sessions[0].record.history.map((s) => s.groups)).toEqual(a.sessions[0].record.history.map((s) => s.groups));
    expect(Buffer.from(b.sessions[0].weights).equals(Buffer.from(a.sessions[0].weights))).toBe(true);
    expect(result.pruned.accuracy).toBe(expected.pruned.accuracy);
    expect(result.baseline.accuracy).toBe(expected.baseline.accuracy);
    expect(result.pruneOnly.accuracy).toBe(expected.pruneOnly.accuracy);
    // The metrics history reads as one run: every step once, with the same losses.
    const losses = (p: typeof a) => p.sessions[0].record.metrics.map((m) => [m.stage, m.step, m.metrics!.loss]);
    expect(losses(b)).toEqual(losses(a));
    expect(b.sessions[0].record).toMatchObject({ status: 'done', state: 'done' });
    expect(b.sessions[0].record).not.toHaveProperty('checkpoint');
    expect(b.sessions[0].optimizer).toBeUndefined();
  });

  it('records a resumed run stopped before its first checkpoint as cancelled, not still running', async () => {
    // An interrupted session (a killed process leaves it 'running'), resumed and cancelled at once.
    const interrupted = join(dir, 'interrupted.pruneflow');
    const project = await loadProjectFile(copy);
    project.sessions[0].record.status = 'running';
    await saveProjectFile(interrupted, project);
    const atOnce = cancelling('fine-tuning', 2);
    await expect(resumeProjectSession(interrupted, 's1', atOnce.context)).rejects.toThrow(/cancel/i);
    const { record } = (await loadProjectFile(interrupted)).sessions[0];
    expect(record).toMatchObject({ status: 'cancelled', checkpoint: { state: 'fine-tuning', training: { epoch: 1 } } });
  });

  it('says there is nothing to resume once every session is done', async () => {
    const before = readFileSync(stopped);
    await expect(resumeProjectSession(stopped, undefined, plain)).rejects.toThrow(NothingToResumeError);
    await expect(resumeProjectSession(stopped, 's1', plain)).rejects.toThrow(/Session s1 of .* is done: there is nothing to resume/);
    // The same through the engine's call, as the app and `pruneflow serve` make it.
    const engine = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset, openDataSource, projects: nodeProjectStore });
    const ended = new Promise((resolve) => engine.onEvent((e) => e.type === 'task-failed' && resolve(e.error)));
    await engine.resumeSession(stopped);
    expect(await ended).toMatchObject({ name: 'NothingToResumeError' });
    expect(readFileSync(stopped).equals(before)).toBe(true);
  });

  it('records a failure after the last checkpoint, with the error, and keeps that checkpoint to resume from', async () => {
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'a file where the export wants a folder');
    const failing = { ...config(whole), fineTuneEpochs: 1, export: { path: join(blocker, 'pruned'), format: 'tfjs' as const } };
    const error = await runProjectSession(failing, plain).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const { record, weights } = (await loadProjectFile(whole)).sessions[1];
    expect(record).toMatchObject({
      id: 's2',
      status: 'failed',
      state: 'failed',
      error: { name: (error as Error).name },
      checkpoint: { state: 'fine-tuning', training: { epoch: 1, epochs: 1 } },
    });
    expect(record.history).toHaveLength(1);
    // The weights are the checkpoint's, in its layout: what a resume loads.
    expect(weights.length).toBe(record.weightSpecs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0));
  });

  it('refuses a tampered checkpoint with the named project error and leaves the file as it is', async () => {
    const zip = openProjectZip(copy, new Uint8Array(readFileSync(copy)));
    const parts = new Map(zip.names().map((name) => [name, zip.read(name)!]));
    const optimizer = parts.get('sessions/s1/optimizer.bin')!;
    optimizer[0] ^= 1;
    const tampered = join(dir, 'tampered.pruneflow');
    writeFileSync(tampered, writeZipParts(parts, new Date()));
    const before = readFileSync(tampered);
    await expect(resumeProjectSession(tampered, undefined, plain)).rejects.toThrow(ProjectTamperedError);
    await expect(resumeProjectSession(tampered, undefined, plain)).rejects.toThrow(/part 'sessions\/s1\/optimizer.bin' has SHA-256/);
    expect(readFileSync(tampered).equals(before)).toBe(true);
  });
});
