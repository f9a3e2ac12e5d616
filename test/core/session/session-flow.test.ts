import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRUNE_CONFIG, type FlowData, type PruneConfig, type PruneResult } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { readAsset } from '../../../core/node/assets.js';
import { loadProjectFile, nodeProjectStore, saveProjectFile } from '../../../core/node/project-file.js';
import { createEngine } from '../../../core/session/engine.js';
import { runProjectSession } from '../../../core/session/project-session.js';
import { BUILTIN_DATA } from '../../../core/session/run-inputs.js';
import { SessionFlowError, UNTRAINED_WARNING } from '../../../core/session/session-flow.js';
import { projectSessionFlow } from '../../../core/session/session-flow-sources.js';
import { runSession } from './run-session.js';

// The flow of a session is the session: its kept channels per layer are the pruned model's widths (measured
// on the model the run returned), its scores the ones the project recorded.
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-session-flow-'));
const file = join(dir, 'flow.pruneflow');
const SAMPLE = { train: 128, test: 64 };
const context = { readAsset, projects: nodeProjectStore, backend: 'wasm', host: 'test' };
const config = (overrides: Partial<PruneConfig> = {}): PruneConfig & { project: string } => ({
  ...DEFAULT_PRUNE_CONFIG,
  model: 'demo-cnn',
  data: BUILTIN_DATA,
  trainEpochs: 0,
  fineTuneEpochs: 0,
  batchSize: 32,
  sample: SAMPLE,
  project: file,
  ...overrides,
});

/** Kept channels per layer at the flow's last step (a column's group, or all of a group it does not cut). */
function keptPerLayer(flow: FlowData): Map<string, number> {
  const last = flow.steps[flow.steps.length - 1];
  const kept = new Map(last.groups.map((g) => [g.group, g.kept.length]));
  return new Map(flow.columns.map((c) => [c.layer, kept.get(c.group) ?? c.channels]));
}

function expectWidths(flow: FlowData, result: PruneResult): void {
  const kept = keptPerLayer(flow);
  const widths = result.pruned.layerWidths.filter((w) => kept.has(w.name));
  expect(widths.length).toBe(result.pruned.layerWidths.length);
  for (const { name, channels } of widths) expect([name, kept.get(name)]).toEqual([name, channels]);
  const before = new Map(flow.columns.map((c) => [c.layer, c.channels]));
  for (const { name, channels } of result.baseline.layerWidths) expect([name, before.get(name)]).toEqual([name, channels]);
}

let oneShot: PruneResult;
let iterative: PruneResult;

beforeAll(async () => {
  await wasmCandidate.load();
  oneShot = await runProjectSession(config({ criterion: 'l1', sessionName: 'one-shot' }), context);
  iterative = await runProjectSession(config({ criterion: 'l2', schedule: 'iterative', scheduleSteps: 3, sessionName: 'three steps' }), context);
}, 300_000);

describe('the importance flow of a project session', () => {
  it('shows the kept channels of a one-shot session, the scores it recorded and why each layer was cut', async () => {
    const flow = await projectSessionFlow(file, 's1', context);
    expect(flow.session).toMatchObject({ project: file, session: 's1', name: 'one-shot', schedule: 'one-shot', ranking: 'global', storedScores: true });
    expect(flow.criterion).toBe('l1');
    expect(flow.steps.map((s) => s.label)).toEqual(['unpruned', 'pruned']);
    expectWidths(flow, oneShot);
    // Step 0's scores are the record's, relative to each group's mean.
    const { record } = (await loadProjectFile(file)).sessions[0];
    for (const recorded of record.history[0].scores) {
      const step = flow.steps[0].groups.find((g) => g.group === recorded.group)!;
      const mean = recorded.values.reduce((a, b) => a + b, 0) / recorded.values.length;
      step.scores.forEach((s, c) => expect(s).toBeCloseTo(recorded.values[c] / mean, 3));
    }
    // A built-in model with no training: the scores come from random weights, and the flow says so.
    expect(flow.untrained).toBe(true);
    expect(flow.warnings).toContain(UNTRAINED_WARNING);
    const cut = flow.groups.filter((g) => g.prunable && flow.steps[1].groups.find((s) => s.group === g.id)!.kept.length < g.channels);
    expect(cut.length).toBeGreaterThan(0);
    for (const group of cut) expect(group.reason).toMatch(/^Global ranking: .* \d+ fell below the model-wide cut-off/);
    expect(flow.groups.find((g) => !g.prunable)?.reason).toMatch(/^Not pruned/);
  });

  it('follows an iterative session step by step to its pruned widths', async () => {
    const flow = await projectSessionFlow(file, 'three steps', context);
    expect(flow.session?.schedule).toBe('iterative, 3 steps');
    expect(flow.steps.map((s) => s.label)).toEqual(['unpruned', 'step 1 of 3', 'step 2 of 3', 'step 3 of 3']);
    expectWidths(flow, iterative);
    // Channels only go: each step keeps a subset of the one before.
    for (let i = 1; i < flow.steps.length; i++) {
      for (const group of flow.steps[i].groups) {
        const before = new Set(flow.steps[i - 1].groups.find((g) => g.group === group.group)!.kept);
        expect(group.kept.every((c) => before.has(c))).toBe(true);
      }
    }
    expect(flow.steps.at(-1)!.reduction).toBeCloseTo(iterative.target.reduction, 1);
  });

  it('opens a session saved without scores, with the kept channels and a note that says so', async () => {
    const project = await loadProjectFile(file);
    project.sessions[0].record.history.forEach((step) => (step.scores = []));
    const old = join(dir, 'old.pruneflow');
    await saveProjectFile(old, project);
    const flow = await projectSessionFlow(old, 's1', context);
    expect(flow.session?.storedScores).toBe(false);
    expect(flow.warnings.some((w) => /kept no importance scores/.test(w))).toBe(true);
    expectWidths(flow, oneShot);
  });

  it('refuses a history that does not fit the baseline, naming the step and the layers', async () => {
    const project = await loadProjectFile(file);
    project.sessions[0].record.history[0].groups[0].channels += 1;
    const bad = join(dir, 'bad.pruneflow');
    await saveProjectFile(bad, project);
    await expect(projectSessionFlow(bad, 's1', context)).rejects.toThrow(SessionFlowError);
    await expect(projectSessionFlow(bad, 's1', context)).rejects.toThrow(/step 1, group of .*: the record says \d+ channels, the steps before leave \d+/);
  });
});

describe('EngineApi.sessionFlow', () => {
  const engine = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset, projects: nodeProjectStore });

  const run = (options: Partial<PruneConfig>) =>
    runSession(engine, { model: 'demo-cnn', data: BUILTIN_DATA, trainEpochs: 0, fineTuneEpochs: 0, batchSize: 32, sample: SAMPLE, ...options });

  it('draws the last run that saved into no project from what the engine kept of it', async () => {
    const { taskId, result } = await run({ criterion: 'l1', target: { metric: 'params', reduction: 0.4 } });
    const flow = await engine.sessionFlow({ task: taskId });
    expect(flow.session).toMatchObject({ task: taskId, storedScores: true });
    expectWidths(flow, result);
    await expect(engine.sessionFlow({ task: 'task-999' })).rejects.toMatchObject({ name: 'SessionFlowError' });
  }, 120_000);

  it('reads a project session through the engine, and names a missing one', async () => {
    expectWidths(await engine.sessionFlow({ project: file, session: 's1' }), oneShot);
    await expect(engine.sessionFlow({ project: file, session: 's9' })).rejects.toMatchObject({ name: 'UnknownSessionError' });
  });
});
