import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineEvent, PruneResult } from '../../../core/api/contract.js';
import { validateCall } from '../../../core/api/validate-call.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { nodeRunHost } from '../../../core/node/node-engine.js';
import { createEngine } from '../../../core/session/engine.js';

// The demo's results can be kept: with a project file it runs as a session of that project.
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-demo-project-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the demo kept in a project', () => {
  it('saves its session into the project file it is given, which then lists it', { timeout: 120_000 }, async () => {
    const { trainingReplicas: _none, ...host } = nodeRunHost();
    const engine = createEngine({ host: 'test', candidates: [wasmCandidate], ...host });
    const project = join(folder, 'demo.pruneflow');
    const done = new Promise<PruneResult>((resolve, reject) =>
      engine.onEvent((e: EngineEvent) => {
        if (e.type === 'task-done') resolve(e.result);
        if (e.type === 'task-failed') reject(new Error(`${e.error.name}: ${e.error.message}`));
      }),
    );
    await engine.startDemo({ trainEpochs: 0, fineTuneEpochs: 0, project });
    const result = await done;
    expect(result.project).toEqual({ path: project, session: 's1' });
    expect(existsSync(project)).toBe(true);
    const summary = await engine.openProject(project);
    expect(summary.sessions.map((s) => [s.id, s.status, s.criterion])).toEqual([['s1', 'done', 'l1']]);
  });

  it('takes a project path in its options, and refuses anything else there', () => {
    expect(() => validateCall({ method: 'startDemo', args: [{ trainEpochs: 0, project: '/tmp/demo.pruneflow' }] })).not.toThrow();
    expect(() => validateCall({ method: 'startDemo', args: [{ project: 7 }] })).toThrow(/project/);
  });
});
