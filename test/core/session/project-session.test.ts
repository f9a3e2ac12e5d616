import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { readAsset } from '../../../core/node/assets.js';
import { openDataSource } from '../../../core/node/open-data-source.js';
import { loadProjectFile, nodeProjectStore, saveProjectFile } from '../../../core/node/project-file.js';
import { DatasetMismatchError, DatasetMovedError } from '../../../core/project/project-errors.js';
import { ProjectBaselineError, runProjectSession } from '../../../core/session/project-session.js';
import { ROOT } from '../../build/run.js';

const dir = mkdtempSync(join(tmpdir(), 'pruneflow-session-'));
const file = join(dir, 'cifar.pruneflow');
const data = join(dir, 'cifar10');
const context = { readAsset, openDataSource, projects: nodeProjectStore, backend: 'wasm', host: 'test' };
/** The 5-image CIFAR-10 fixture, the demo CNN built for 32x32x3, no training: the run is about the records. */
const config = (overrides: Partial<PruneConfig> = {}) => ({
  ...DEFAULT_PRUNE_CONFIG,
  model: 'demo-cnn',
  data,
  trainEpochs: 0,
  fineTuneEpochs: 0,
  project: file,
  ...overrides,
});

beforeAll(async () => {
  await wasmCandidate.load();
  cpSync(join(ROOT, 'test/fixtures/cifar/cifar-10-batches-py'), data, { recursive: true });
});

describe('sessions saved into a project', () => {
  it('records the run: data set, baseline, history with scores, metrics and environment', async () => {
    const result = await runProjectSession(config({ sessionName: 'first' }), context);
    expect(result.project).toEqual({ path: file, session: 's1' });
    const project = await loadProjectFile(file);
    expect(project.dataset).toMatchObject({ path: data, format: 'cifar10-python', files: 4 });
    expect(project.baseline).toMatchObject({ source: 'demo-cnn', trainEpochs: 0 });
    const [{ record }] = project.sessions;
    expect(record).toMatchObject({ id: 's1', name: 'first', status: 'done', config: { criterion: 'group-l1', data } });
    expect(record.config).not.toHaveProperty('project');
    expect(record.history).toHaveLength(1);
    expect(record.history[0].scores.length).toBeGreaterThanOrEqual(record.history[0].groups.length);
    expect(record.result).toMatchObject({ pruned: { flops: result.pruned.flops }, baseline: { flops: result.baseline.flops } });
    expect(record.environment).toMatchObject({ backend: 'wasm', host: 'test' });
  });

  it('asks for a moved data set, relinks it when the content matches, and refuses another one or another model', async () => {
    const moved = join(dir, 'moved');
    renameSync(data, moved);
    const before = readFileSync(file);
    writeFileSync(join(dir, 'before.pruneflow'), before);
    await expect(runProjectSession(config(), context)).rejects.toThrow(DatasetMovedError);
    await expect(runProjectSession(config({ data: join(ROOT, 'test/fixtures/cifar/cifar-100-python') }), context)).rejects.toThrow(DatasetMismatchError);
    await expect(runProjectSession(config({ model: 'small-vgg', data: moved }), context)).rejects.toThrow(ProjectBaselineError);
    expect(readFileSync(file).equals(before)).toBe(true);

    const result = await runProjectSession(config({ data: moved, criterion: 'l2', trainEpochs: 3 }), context);
    expect(result.project!.session).toBe('s2');
    const project = await loadProjectFile(file);
    expect(project.dataset.path).toBe(moved);
    // The session starts from the project's baseline: no training of its own.
    expect(project.sessions[1].record.config).toMatchObject({ trainEpochs: 0, criterion: 'l2' });
    expect(project.baseline).toEqual((await loadProjectFile(join(dir, 'before.pruneflow'))).baseline);
  });

  it('keeps a session another process saved into the project while this run ran', async () => {
    let added = false;
    const meanwhile = async () => {
      const project = await loadProjectFile(file);
      const [first] = project.sessions;
      await saveProjectFile(file, {
        ...project,
        sessions: [...project.sessions, { ...first, record: { ...first.record, id: 's9', name: 'from another process' } }],
      });
    };
    let pending: Promise<void> | undefined;
    const onProgress = (p: { stage: string }) => {
      if (p.stage === 'pruning' && !added) {
        added = true;
        pending = meanwhile();
      }
    };
    // The run reads the file again before saving; that read waits for the other save, wherever the run is.
    const projects = { ...nodeProjectStore, load: async (path: string) => (await pending, nodeProjectStore.load(path)) };
    const result = await runProjectSession(config({ data: join(dir, 'moved') }), { ...context, projects, onProgress });
    // The session was in the file (as running) from its start, so it keeps its id and the other one its place.
    expect(result.project!.session).toBe('s3');
    expect((await loadProjectFile(file)).sessions.map((s) => [s.record.id, s.record.status])).toEqual([
      ['s1', 'done'],
      ['s2', 'done'],
      ['s3', 'done'],
      ['s9', 'done'],
    ]);
  });
});
