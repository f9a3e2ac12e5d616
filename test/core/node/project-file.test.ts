import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { loadProjectFile, locateDataset, ProjectNotFoundError, relinkDataset, saveProjectFile } from '../../../core/node/project-file.js';
import { openDataSource } from '../../../core/node/open-data-source.js';
import { hashFileTree } from '../../../core/project/dataset-hash.js';
import type { Project } from '../../../core/project/project.js';
import { serializeProject } from '../../../core/project/project-codec.js';
import {
  DatasetMismatchError,
  DatasetMovedError,
  NotAProjectError,
  ProjectTamperedError,
  ProjectTruncatedError,
} from '../../../core/project/project-errors.js';
import { oneShot } from '../../../core/prune/schedules/one-shot.js';
import { ROOT } from '../../build/run.js';
import { projectOf, runRecorded, sessionOf, tinyModel, weightContext } from '../project/project-fixture.js';

const CIFAR10 = join(ROOT, 'test/fixtures/cifar/cifar-10-batches-py');
const CIFAR100 = join(ROOT, 'test/fixtures/cifar/cifar-100-python');
const CHILD = join(ROOT, 'test/core/node/save-project-child.mjs');

let project: Project;
beforeAll(async () => {
  await wasmCandidate.load();
  const baseline = tinyModel();
  const { pruned, history } = await runRecorded(oneShot, baseline, weightContext());
  project = await projectOf(baseline, [await sessionOf('s1', baseline, pruned, history)]);
  baseline.dispose();
  pruned.dispose();
});

const freshDir = () => mkdtempSync(join(tmpdir(), 'pruneflow-project-'));

/** Every file of a folder with its bytes and modification time. */
const snapshot = (dir: string) => readdirSync(dir).map((name) => ({ name, bytes: readFileSync(join(dir, name)), mtime: statSync(join(dir, name)).mtimeMs }));

describe('project files on disk', () => {
  it('saves and loads, keeping the file mode of the file it replaces', async () => {
    const file = join(freshDir(), 'study.pruneflow');
    await saveProjectFile(file, project);
    expect(await loadProjectFile(file)).toEqual(project);
    chmodSync(file, 0o640);
    await saveProjectFile(file, { ...project, modified: '2026-11-28T00:00:00.000Z' });
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect((await loadProjectFile(file)).modified).toBe('2026-11-28T00:00:00.000Z');
    expect(readdirSync(join(file, '..'))).toEqual(['study.pruneflow']);
    await expect(loadProjectFile(join(file, '..', 'absent.pruneflow'))).rejects.toThrow(ProjectNotFoundError);
  });

  it('never writes while loading a damaged or foreign file', async () => {
    const dir = freshDir();
    const good = await serializeProject(project);
    const cases: [string, Uint8Array, new (...a: never[]) => Error][] = [
      ['cut.pruneflow', good.subarray(0, good.length - 7), ProjectTruncatedError],
      ['flipped.pruneflow', good.map((b, i) => (i === good.length >> 1 ? b ^ 1 : b)), ProjectTamperedError],
      ['photo.pruneflow', readFileSync(join(ROOT, 'build/icons/icon.png')), NotAProjectError],
    ];
    for (const [name, bytes] of cases) writeFileSync(join(dir, name), bytes);
    const before = snapshot(dir);
    for (const [name, , error] of cases) await expect(loadProjectFile(join(dir, name)), name).rejects.toThrow(error);
    expect(snapshot(dir)).toEqual(before);
  });

  it('says where a moved data set was and relinks it once its content matches', async () => {
    const dir = freshDir();
    const data = join(dir, 'cifar10');
    cpSync(CIFAR10, data, { recursive: true });
    const withData = { ...project, dataset: { ...project.dataset, path: data, ...(await hashFileTree(await openDataSource(data))) } };
    await locateDataset(withData);
    const moved = join(dir, 'moved-cifar10');
    renameSync(data, moved);
    const error = await locateDataset(withData).then(
      () => undefined,
      (e: DatasetMovedError) => e,
    );
    expect(error).toBeInstanceOf(DatasetMovedError);
    expect(error).toMatchObject({ path: data, contentHash: withData.dataset.contentHash });
    const relinked = await relinkDataset(withData, moved);
    expect(relinked.dataset).toEqual({ ...withData.dataset, path: moved });
    await locateDataset(relinked);
    await expect(relinkDataset(withData, CIFAR100)).rejects.toThrow(DatasetMismatchError);
    await expect(relinkDataset(withData, CIFAR100)).rejects.toThrow(/is not the project's data set: its content hash is sha256:/);
  });
});

/** Runs the child saver and SIGKILLs it once it says it paused, or (free-running) after `killAfter` progress lines. */
function saveAndKill(file: string, mebibytes: number, pause: string, killAfter?: number): Promise<{ stages: string[]; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, file, String(mebibytes), pause], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stages: string[] = [];
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stages.push(...text.trim().split('\n'));
      if (stages.includes('paused') || (killAfter !== undefined && stages.length >= killAfter)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      signal === 'SIGKILL' || stages.includes('saved') ? resolve({ stages, signal }) : reject(new Error(`child exited ${code}: ${stderr}`)),
    );
  });
}

describe('a save killed for real', () => {
  it('leaves the previous file whole and loadable at every moment before the rename, the new one after', async () => {
    const previous = await serializeProject(project);
    const moments = [
      { pause: 'writing@1', expectNew: false },
      { pause: `writing@${16 * 2 ** 20}`, expectNew: false },
      { pause: 'flushed', expectNew: false },
      { pause: 'renamed', expectNew: true },
    ];
    for (const { pause, expectNew } of moments) {
      const dir = freshDir();
      const file = join(dir, 'study.pruneflow');
      writeFileSync(file, previous);
      const { stages, signal } = await saveAndKill(file, 32, pause);
      expect(signal, pause).toBe('SIGKILL');
      expect(stages.at(-2), pause).toMatch(new RegExp(`^${pause.split('@')[0]} `));
      const loaded = await loadProjectFile(file);
      if (expectNew) {
        expect(loaded.modified, pause).toBe('2030-01-01T00:00:00.000Z');
        expect(loaded.unknown.parts.get('extras/big.bin')?.length).toBe(32 * 2 ** 20);
      } else {
        expect(readFileSync(file).equals(previous), pause).toBe(true);
        expect(loaded).toEqual(project);
        // The half-written copy beside it is what the kill interrupted; the loader does not look at it.
        const partial = readdirSync(dir).find((n) => n.startsWith('study.pruneflow.partial-'))!;
        const [, written, total] = stages.at(-2)!.split(' ').map(Number);
        expect(statSync(join(dir, partial)).size, pause).toBe(written);
        if (pause.startsWith('writing')) expect(written).toBeLessThan(total);
      }
    }
  });

  it('leaves a loadable file, old or new, wherever a free-running save is killed', async () => {
    const previous = await serializeProject(project);
    const outcomes: string[] = [];
    // Early, midway and near the end of 33 chunks: the kill lands while the child goes on writing.
    for (const killAfter of [1, 16, 33]) {
      const dir = freshDir();
      const file = join(dir, 'study.pruneflow');
      writeFileSync(file, previous);
      const { stages } = await saveAndKill(file, 32, 'never', killAfter);
      const loaded = await loadProjectFile(file);
      expect(['2026-11-27T10:05:00.000Z', '2030-01-01T00:00:00.000Z']).toContain(loaded.modified);
      outcomes.push(`killed after '${stages.at(-1)}': ${loaded.modified.startsWith('2030') ? 'new' : 'previous'} file`);
    }
    console.log(outcomes.join('\n'));
  });
});
