import { readFileSync } from 'node:fs';
import { encode as encodePng } from 'fast-png';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import type { Project } from '../../../core/project/project.js';
import { parseProject, serializeProject } from '../../../core/project/project-codec.js';
import { NotAProjectError, ProjectTamperedError, ProjectTruncatedError, ProjectVersionError } from '../../../core/project/project-errors.js';
import { sha256Hex } from '../../../core/project/sha256.js';
import { openStoredModel } from '../../../core/project/stored-model.js';
import { loadSessionWeights, replayHistory } from '../../../core/project/replay.js';
import { oneShot } from '../../../core/prune/schedules/one-shot.js';
import { projectOf, runRecorded, sessionOf, tinyModel, weightContext } from './project-fixture.js';

let project: Project;
let bytes: Uint8Array;

beforeAll(async () => {
  await wasmCandidate.load();
  const baseline = tinyModel();
  const { pruned, history } = await runRecorded(oneShot, baseline, weightContext());
  project = await projectOf(baseline, [await sessionOf('s1', baseline, pruned, history)]);
  bytes = await serializeProject(project);
  baseline.dispose();
  pruned.dispose();
});

type Files = { manifest: Record<string, unknown>; parts: Map<string, Uint8Array> };
const json = (data: Uint8Array) => JSON.parse(strFromU8(data));

/** Edits a project file's manifest and parts and zips it again; the hashes are recomputed unless `rehash` is false. */
async function rewrite(file: Uint8Array, edit: (files: Files) => void, rehash = true): Promise<Uint8Array> {
  const entries = unzipSync(file);
  const { 'manifest.json': manifestBytes, ...rest } = entries;
  const files: Files = { manifest: json(manifestBytes), parts: new Map(Object.entries(rest)) };
  edit(files);
  if (rehash) {
    const listed: Record<string, { sha256: string; bytes: number }> = {};
    for (const [path, data] of files.parts) listed[path] = { sha256: await sha256Hex(data), bytes: data.length };
    files.manifest.parts = listed;
  }
  return zipSync({ 'manifest.json': strToU8(JSON.stringify(files.manifest)), ...Object.fromEntries(files.parts) });
}

const editJson = (files: Files, path: string, edit: (value: Record<string, any>) => void) => {
  const value = json(files.parts.get(path)!);
  edit(value);
  files.parts.set(path, strToU8(JSON.stringify(value)));
};

/** Where a zip entry's stored bytes start, and how many there are (from its local header). */
function entryData(zip: Uint8Array, name: string): { start: number; size: number } {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let at = 0; view.getUint32(at, true) === 0x04034b50;) {
    const size = view.getUint32(at + 18, true);
    const nameLength = view.getUint16(at + 26, true);
    const extra = view.getUint16(at + 28, true);
    const start = at + 30 + nameLength + extra;
    if (strFromU8(zip.subarray(at + 30, at + 30 + nameLength)) === name) return { start, size };
    at = start + size;
  }
  throw new Error(`no entry ${name}`);
}

function flipByte(zip: Uint8Array, name: string): Uint8Array {
  const { start, size } = entryData(zip, name);
  const copy = zip.slice();
  copy[start + (size >> 1)] ^= 0x5a;
  return copy;
}

describe('project file format', () => {
  it('round-trips every part, byte for byte on a second save', async () => {
    const parsed = await parseProject(bytes, 'tiny.pruneflow');
    expect(parsed).toEqual(project);
    expect(parsed.sessions[0].record.history[0].groups.length).toBeGreaterThan(0);
    expect(parsed.sessions[0].record.history[0].scores.map((s) => s.values.length)).toEqual([8, 8]);
    expect(await serializeProject(parsed)).toEqual(bytes);
    // The baseline comes back as a model that predicts as the one stored.
    const original = tinyModel();
    const stored = await openStoredModel(parsed.baseline);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 7);
    expect(Array.from((stored.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((original.predict(x) as tf.Tensor).dataSync()));
    tf.dispose(x);
    stored.dispose();
    original.dispose();
  });

  it('lists every part with its SHA-256 in a versioned manifest', async () => {
    const manifest = json(unzipSync(bytes)['manifest.json']);
    expect(manifest).toMatchObject({
      format: 'pruneflow-project',
      formatVersion: 2,
      app: { name: 'Pruneflow' },
      created: project.created,
      modified: project.modified,
    });
    expect(Object.keys(manifest.parts).sort()).toEqual([
      'baseline/group1-shard1of1.bin',
      'baseline/model.json',
      'project.json',
      'sessions/s1/session.json',
      'sessions/s1/weights.bin',
    ]);
    expect(manifest.parts['sessions/s1/weights.bin'].sha256).toBe(await sha256Hex(project.sessions[0].weights));
  });

  it('loads a version-1 file through the migration and saves it as version 2', async () => {
    // Version 1: the manifest said `version`; steps listed kept channels and had no scores.
    const v1 = await rewrite(bytes, (files) => {
      const { formatVersion: _, ...rest } = files.manifest;
      files.manifest = { ...rest, version: 1 };
      editJson(files, 'sessions/s1/session.json', (record) => {
        for (const step of record.history) {
          delete step.scores;
          step.groups = step.groups.map(({ removed, ...g }: { removed: number[]; channels: number }) => ({
            ...g,
            kept: Array.from({ length: g.channels }, (_, c) => c).filter((c) => !removed.includes(c)),
          }));
        }
      });
    });
    const loaded = await parseProject(v1, 'v1.pruneflow');
    const expected = project.sessions[0].record.history.map((step) => ({ ...step, scores: [] }));
    expect(loaded.sessions[0].record.history).toEqual(expected);
    const saved = json(unzipSync(await serializeProject(loaded))['manifest.json']);
    expect(saved.formatVersion).toBe(2);
    expect(saved).not.toHaveProperty('version');
  });

  it('opens the frozen version-1 file: migrated history replays on its baseline with its weights', async () => {
    const v1 = new Uint8Array(readFileSync(new URL('../../fixtures/projects/version-1.pruneflow', import.meta.url)));
    expect(json(unzipSync(v1)['manifest.json']).version).toBe(1);
    const loaded = await parseProject(v1, 'version-1.pruneflow');
    const [{ record, weights }] = loaded.sessions;
    expect(record.history).toEqual([
      {
        step: 1,
        scores: [],
        groups: [
          { group: 1, producers: ['c1'], channels: 6, removed: [2, 5] },
          { group: 2, producers: ['c2'], channels: 6, removed: [4] },
        ],
      },
    ]);
    const baseline = await openStoredModel(loaded.baseline);
    const replayed = await replayHistory(baseline, record.history);
    loadSessionWeights(replayed, record.weightSpecs, weights);
    expect(replayed.getLayer('c1').getWeights()[0].shape).toEqual([3, 3, 2, 4]);
    expect(replayed.getLayer('c2').getWeights()[0].shape).toEqual([3, 3, 4, 5]);
    baseline.dispose();
    replayed.dispose();
  });

  it('keeps manifest fields, record fields and parts it does not know through load and save', async () => {
    const future = await rewrite(bytes, (files) => {
      files.manifest.futureManifest = { a: 1 };
      editJson(files, 'project.json', (p) => (p.futureProject = 'kept'));
      editJson(files, 'sessions/s1/session.json', (record) => {
        record.futureSession = [1, 2];
        record.history[0].futureStep = true;
        record.history[0].groups[0].futureGroup = 'g';
        record.environment.gpu = 'none';
      });
      files.parts.set('extras/notes.txt', strToU8('notes from a newer Pruneflow'));
    });
    const again = unzipSync(await serializeProject(await parseProject(future)));
    expect(json(again['manifest.json']).futureManifest).toEqual({ a: 1 });
    expect(json(again['manifest.json']).parts['extras/notes.txt']).toBeDefined();
    expect(json(again['project.json']).futureProject).toBe('kept');
    const record = json(again['sessions/s1/session.json']);
    expect(record.futureSession).toEqual([1, 2]);
    expect(record.history[0].futureStep).toBe(true);
    expect(record.history[0].groups[0].futureGroup).toBe('g');
    expect(record.environment.gpu).toBe('none');
    expect(strFromU8(again['extras/notes.txt'])).toBe('notes from a newer Pruneflow');
  });

  it('names what is wrong with a cut, changed or foreign file', async () => {
    const png = encodePng({ width: 2, height: 2, data: new Uint8Array(12), channels: 3 });
    const table: { what: string; file: () => Promise<Uint8Array> | Uint8Array; error: new (...a: never[]) => Error; message: RegExp }[] = [
      { what: 'empty', file: () => new Uint8Array(0), error: ProjectTruncatedError, message: /empty/ },
      { what: 'last byte cut', file: () => bytes.subarray(0, bytes.length - 1), error: ProjectTruncatedError, message: /not a complete project file/ },
      { what: 'directory cut', file: () => bytes.subarray(0, bytes.length - 100), error: ProjectTruncatedError, message: /directory is missing/ },
      { what: 'half', file: () => bytes.subarray(0, bytes.length >> 1), error: ProjectTruncatedError, message: /cut off/ },
      { what: 'header only', file: () => bytes.subarray(0, 30), error: ProjectTruncatedError, message: /30 bytes/ },
      {
        what: 'weights flipped',
        file: () => flipByte(bytes, 'sessions/s1/weights.bin'),
        error: ProjectTamperedError,
        message: /part 'sessions\/s1\/weights.bin' has CRC-32 0x[0-9a-f]{8}, the directory says/,
      },
      {
        what: 'baseline flipped',
        file: () => flipByte(bytes, 'baseline/group1-shard1of1.bin'),
        error: ProjectTamperedError,
        message: /part 'baseline\/group1-shard1of1.bin'/,
      },
      {
        what: 'deflated JSON flipped',
        file: () => flipByte(bytes, 'sessions/s1/session.json'),
        error: ProjectTamperedError,
        message: /part 'sessions\/s1\/session.json'/,
      },
      {
        what: 'part edited, hash kept',
        file: () => rewrite(bytes, (f) => editJson(f, 'project.json', (p) => (p.dataset.path = '/elsewhere')), false),
        error: ProjectTamperedError,
        message: /part 'project.json' has SHA-256/,
      },
      {
        what: 'listed part missing',
        file: () => rewrite(bytes, (f) => f.parts.delete('baseline/model.json'), false),
        error: ProjectTamperedError,
        message: /'baseline\/model.json' is listed in the manifest but missing/,
      },
      {
        what: 'sessions list broken',
        file: () => rewrite(bytes, (f) => editJson(f, 'project.json', (p) => (p.sessions = 's1'))),
        error: ProjectTamperedError,
        message: /part 'project.json' lacks the list of sessions/,
      },
      {
        what: 'a zip of something else',
        file: () => zipSync({ 'notes.txt': strToU8('hello') }),
        error: NotAProjectError,
        message: /a zip without manifest.json: it holds notes.txt/,
      },
      {
        what: 'another manifest',
        file: () => zipSync({ 'manifest.json': strToU8('{"name":"app"}') }),
        error: NotAProjectError,
        message: /not a Pruneflow manifest/,
      },
      {
        what: 'a PNG',
        file: () => png,
        error: NotAProjectError,
        message: /not a zip archive: it looks like a PNG image\)\. What to do: open a \.pruneflow file/,
      },
      {
        what: 'text',
        file: () => strToU8('{"format":"pruneflow-project"}'),
        error: NotAProjectError,
        message: /not a zip archive: it looks like text \("\{"format":"pruneflow-project"\}"\)/,
      },
      {
        what: 'newer version',
        file: () => rewrite(bytes, (f) => Object.assign(f.manifest, { formatVersion: 3, app: { name: 'Pruneflow', version: '9.0.0' } })),
        error: ProjectVersionError,
        message: /version 3 \(written by Pruneflow 9.0.0\); this Pruneflow reads versions up to 2/,
      },
    ];
    for (const { what, file, error, message } of table) {
      const data = await file();
      const copy = data.slice();
      const failure = await parseProject(data, 'x.pruneflow').then(
        () => undefined,
        (e: Error) => e,
      );
      expect(failure, what).toBeInstanceOf(error);
      expect(failure!.message, what).toMatch(message);
      expect(failure!.message, what).toContain('x.pruneflow');
      expect(data, `${what}: the reader leaves the bytes alone`).toEqual(copy);
    }
  });
});
