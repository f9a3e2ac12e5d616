import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { memoryTree } from '../../../core/data/file-tree.js';
import { exportTfjs } from '../../../core/models/io/export-tfjs.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { ModelFormatError } from '../../../core/models/io/model-errors.js';
import { nodeHostFiles } from '../../../core/node/node-host-files.js';
import { hashFileTree } from '../../../core/project/dataset-hash.js';
import { hostProjectStore } from '../../../core/project/host-project-store.js';
import type { Project } from '../../../core/project/project.js';
import { parseProject, serializeProject } from '../../../core/project/project-codec.js';
import { DatasetChangedError, ProjectTamperedError } from '../../../core/project/project-errors.js';
import { sha256Hex } from '../../../core/project/sha256.js';
import { openDataTree } from '../../../core/data/host-files.js';
import { oneShot } from '../../../core/prune/schedules/one-shot.js';
import { writeSyntheticCifar } from '../session/synthetic-cifar.js';
import { projectOf, runRecorded, sessionOf, tinyModel, weightContext } from './project-fixture.js';

let bytes: Uint8Array;
let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  const baseline = tinyModel();
  const { pruned, history } = await runRecorded(oneShot, baseline, weightContext());
  bytes = await serializeProject(await projectOf(baseline, [await sessionOf('s1', baseline, pruned, history)]));
  baseline.dispose();
  pruned.dispose();
  dir = mkdtempSync(join(tmpdir(), 'pruneflow-input-checks-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The project with one JSON part edited and every hash recomputed: only the types are wrong. */
async function withJson(path: string, edit: (value: any) => void): Promise<Uint8Array> {
  const { 'manifest.json': manifestBytes, ...parts } = unzipSync(bytes);
  const value = JSON.parse(strFromU8(parts[path]));
  edit(value);
  parts[path] = strToU8(JSON.stringify(value));
  const manifest = JSON.parse(strFromU8(manifestBytes));
  for (const [name, data] of Object.entries(parts)) manifest.parts[name] = { sha256: await sha256Hex(data), bytes: data.length };
  return zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), ...parts });
}

describe('project JSON with wrong types', () => {
  it('names the file, the part and the field instead of a TypeError', async () => {
    const cases: [string, (v: any) => void, RegExp][] = [
      [
        'sessions/s1/session.json',
        (r) => (r.history[0].groups = 'all'),
        /x.pruneflow: part 'sessions\/s1\/session.json' has a field 'history' that is not a list of pruning steps/,
      ],
      ['sessions/s1/session.json', (r) => (r.history[0].groups[0].removed = [1, 'two']), /part 'sessions\/s1\/session.json' has a field 'history'/],
      ['sessions/s1/session.json', (r) => (r.weightSpecs[0].shape = '3x3'), /field 'weightSpecs' that is not a list of weight specs/],
      ['sessions/s1/session.json', (r) => (r.config.target = 0.5), /field 'config' that is not an object whose 'target' is an object \(found/],
      ['sessions/s1/session.json', (r) => (r.checkpoint = { state: 'fine-tuning', training: { epoch: 'one' } }), /field 'checkpoint'/],
      ['project.json', (p) => (p.dataset.files = -1), /part 'project.json' has a field 'dataset' that is not an object whose 'files' is a whole number >= 0/],
    ];
    for (const [part, edit, message] of cases) {
      const error = await parseProject(await withJson(part, edit), 'x.pruneflow').then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error, part).toBeInstanceOf(ProjectTamperedError);
      expect(error!.message).toMatch(message);
    }
    // A JSON part that is no object at all.
    const { 'manifest.json': m, ...parts } = unzipSync(bytes);
    parts['project.json'] = strToU8('null');
    const manifest = JSON.parse(strFromU8(m));
    manifest.parts['project.json'] = { sha256: await sha256Hex(parts['project.json']), bytes: 4 };
    const file = zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), ...parts });
    const nullProject = await parseProject(file, 'x.pruneflow').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(nullProject).toBeInstanceOf(ProjectTamperedError);
    expect(nullProject!.message).toMatch(/x.pruneflow: part 'project.json' is not a JSON object/);
  });

  it('names a version-1 file whose history does not fit its migration', async () => {
    const v1 = new Uint8Array(readFileSync(new URL('../../fixtures/projects/version-1.pruneflow', import.meta.url)));
    const { 'manifest.json': manifestBytes, ...parts } = unzipSync(v1);
    const session = Object.keys(parts).find((p) => p.endsWith('session.json'))!;
    const record = JSON.parse(strFromU8(parts[session]));
    record.history[0].groups = 7;
    parts[session] = strToU8(JSON.stringify(record));
    const manifest = JSON.parse(strFromU8(manifestBytes));
    manifest.parts[session] = { sha256: await sha256Hex(parts[session]), bytes: parts[session].length };
    const file = zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), ...parts });
    await expect(parseProject(file, 'old.pruneflow')).rejects.toThrow(ProjectTamperedError);
    await expect(parseProject(file, 'old.pruneflow')).rejects.toThrow(/old.pruneflow: part 'sessions' do not fit project format version 1/);
  });
});

describe('imported weights', () => {
  it('refuses NaN and infinite weights with a named error naming the weights', async () => {
    const model = tinyModel(5);
    const [json, shard] = await exportTfjs(model);
    model.dispose();
    const weights = new Float32Array(shard.bytes.slice().buffer);
    weights[0] = Number.NaN;
    weights[1] = Number.POSITIVE_INFINITY;
    weights[weights.length - 1] = Number.NaN;
    const tree = memoryTree(
      'bad-model',
      new Map([
        [json.name, json.bytes],
        [shard.name, new Uint8Array(weights.buffer)],
      ]),
    );
    const error = await importModel(tree).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error!.message).toMatch(/bad-model: 2 weight arrays hold NaN or infinite values: 'c1\/kernel' \(1 NaN, 1 infinite of 216\), '.*' \(1 NaN of \d+\)/);
    const fine = await importModel(
      memoryTree(
        'good-model',
        new Map([
          [json.name, json.bytes],
          [shard.name, shard.bytes],
        ]),
      ),
    );
    fine.model.dispose();
  });
});

describe("the data set's hash before a run", () => {
  it('refuses a data set changed at the same path (DatasetChangedError), accepts it unchanged', async () => {
    const data = writeSyntheticCifar(join(dir, 'cifar'), 20, 10);
    const ref = { path: data, format: 'cifar10-binary', ...(await hashFileTree(await openDataTree(nodeHostFiles, data))) };
    const project = { dataset: ref } as Project;
    const store = hostProjectStore(nodeHostFiles);
    await store.checkDataset(project);
    const batch = join(data, 'data_batch_1.bin');
    const changed = readFileSync(batch);
    changed[0] = (changed[0] + 1) % 10; // one label
    writeFileSync(batch, changed);
    const error = await store.checkDataset(project).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(DatasetChangedError);
    expect(error!.message).toMatch(
      new RegExp(
        `The data set at ${data} has changed since the project was made: its content hash is sha256:[0-9a-f]{64}, the project's is ${ref.contentHash}`,
      ),
    );
  });
});
