import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerCall } from '../../../core/api/answer-call.js';
import type { EngineApi } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { loadProjectFile, nodeProjectStore, saveProjectFile } from '../../../core/node/project-file.js';
import { MAX_RECENT_PROJECTS, nodeRecentProjects } from '../../../core/node/recent-projects.js';
import type { Project } from '../../../core/project/project.js';
import { oneShot } from '../../../core/prune/schedules/one-shot.js';
import { createEngine } from '../../../core/session/engine.js';
import { readAsset } from '../../../core/node/assets.js';
import { projectOf, runRecorded, sessionOf, tinyModel, weightContext } from '../project/project-fixture.js';

// File > Save, Save As and the recent projects list, as engine calls on real project files.
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-save-'));
const source = join(dir, 'study.pruneflow');
const recentFile = join(dir, 'settings', 'recent-projects.json');
let project: Project;
let engine: EngineApi;

/** A call as a host sends it: validated, run, answered as plain data (errors keep their name). */
const call = (method: string, ...args: unknown[]) => answerCall(engine, { method, args });

beforeAll(async () => {
  await wasmCandidate.load();
  const baseline = tinyModel();
  const { pruned, history } = await runRecorded(oneShot, baseline, weightContext());
  project = await projectOf(baseline, [await sessionOf('s1', baseline, pruned, history)]);
  baseline.dispose();
  pruned.dispose();
  await saveProjectFile(source, project);
  engine = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset, projects: nodeProjectStore, recent: nodeRecentProjects(recentFile) });
});

describe('File > Save', () => {
  it('confirms the project is whole on disk, says when it was written, and lists it as recent', async () => {
    expect(await call('saveProject', source)).toEqual({ ok: true, value: { path: source, modified: project.modified, sessions: 1 } });
    expect(await engine.recentProjects()).toEqual([{ path: source, name: 'study.pruneflow', found: true }]);
  });

  it('refuses a damaged or missing file by name', async () => {
    const damaged = join(dir, 'damaged.pruneflow');
    writeFileSync(damaged, readFileSync(source).subarray(0, 500));
    expect(await call('saveProject', damaged)).toMatchObject({ ok: false, error: { name: 'ProjectTruncatedError' } });
    expect(await call('saveProject', join(dir, 'none.pruneflow'))).toMatchObject({ ok: false, error: { name: 'ProjectNotFoundError' } });
  });
});

describe('File > Save As', () => {
  it('writes a whole copy to the new path and lists that one first', async () => {
    const copy = join(dir, 'copy.pruneflow');
    expect(await call('saveProjectAs', source, copy)).toEqual({ ok: true, value: { path: copy, modified: project.modified, sessions: 1 } });
    expect(await loadProjectFile(copy)).toEqual(await loadProjectFile(source));
    expect((await engine.recentProjects()).map((r) => r.name)).toEqual(['copy.pruneflow', 'study.pruneflow']);
  });

  it('never writes over its own source, however the path is spelled', async () => {
    const before = statSync(source).mtimeMs;
    const link = join(dir, 'link.pruneflow');
    symlinkSync(source, link);
    for (const target of [source, join(dir, '.', 'study.pruneflow'), link]) {
      expect(await call('saveProjectAs', source, target, true)).toMatchObject({
        ok: false,
        error: { name: 'SaveOverSourceError', message: expect.stringContaining(target) },
      });
    }
    expect(statSync(source).mtimeMs).toBe(before);
  });

  it('replaces another file only when told to', async () => {
    const other = join(dir, 'other.pruneflow');
    writeFileSync(other, 'not yet a project');
    expect(await call('saveProjectAs', source, other)).toMatchObject({
      ok: false,
      error: { name: 'ProjectExistsError', message: expect.stringContaining(other) },
    });
    expect(readFileSync(other, 'utf8')).toBe('not yet a project');
    expect(await call('saveProjectAs', source, other, true)).toMatchObject({ ok: true });
    expect((await loadProjectFile(other)).sessions).toHaveLength(1);
  });

  it('refuses a path without the .pruneflow extension, a missing source and a bad overwrite flag', async () => {
    expect(await call('saveProjectAs', source, join(dir, 'copy.zip'))).toMatchObject({ ok: false, error: { name: 'ProjectPathError' } });
    expect(await call('saveProjectAs', join(dir, 'gone.pruneflow'), join(dir, 'x.pruneflow'))).toMatchObject({
      ok: false,
      error: { name: 'ProjectNotFoundError' },
    });
    expect(await call('saveProjectAs', source, join(dir, 'x.pruneflow'), 'yes')).toMatchObject({ ok: false, error: { name: 'InvalidCallError' } });
  });
});

describe('recent projects', () => {
  it('shows a moved file as missing and keeps the ten newest', async () => {
    const fresh = nodeRecentProjects(join(dir, 'other-settings', 'recent-projects.json'));
    const paths = Array.from({ length: MAX_RECENT_PROJECTS + 2 }, (_, i) => join(dir, `p${i}.pruneflow`));
    await Promise.all(paths.map((path) => fresh.add(path)));
    writeFileSync(paths.at(-1)!, 'here');
    const listed = await fresh.list();
    expect(listed.map((r) => r.path)).toEqual(paths.slice(2).reverse());
    expect(listed.map((r) => r.found)).toEqual([true, ...Array<boolean>(MAX_RECENT_PROJECTS - 1).fill(false)]);
  });

  it('an unreadable list is empty, and opening a project puts it first', async () => {
    writeFileSync(recentFile, '{ broken');
    expect(await engine.recentProjects()).toEqual([]);
    await engine.openProject(source);
    expect(await engine.recentProjects()).toEqual([{ path: source, name: 'study.pruneflow', found: true }]);
  });
});

describe('a run into a project', () => {
  it('lists the project as recent only once its task has started, not when the engine is busy', async () => {
    const recent = nodeRecentProjects(join(dir, 'run-settings', 'recent-projects.json'));
    const busy = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset, projects: nodeProjectStore, recent });
    const ended = new Promise<string>((resolve) =>
      busy.onEvent((event) => ['task-done', 'task-failed', 'task-cancelled'].includes(event.type) && resolve(event.type)),
    );
    const { taskId } = await busy.startDemo({ trainEpochs: 0, fineTuneEpochs: 0 });
    const refused = join(dir, 'refused.pruneflow');
    await expect(busy.startPruning({ model: 'demo-cnn', data: 'builtin:fashion-mnist', project: refused })).rejects.toThrow(/Another task is running/);
    await busy.cancelTask(taskId);
    await ended;
    expect((await recent.list()).map((r) => r.path)).not.toContain(refused);
  }, 120_000);
});
