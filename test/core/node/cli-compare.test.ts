import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRUNE_CONFIG, type PruneResult } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { readAsset } from '../../../core/node/assets.js';
import { openDataSource } from '../../../core/node/open-data-source.js';
import { nodeProjectStore } from '../../../core/node/project-file.js';
import { runProjectSession } from '../../../core/session/project-session.js';
import { ROOT } from '../../build/run.js';
import { runCli } from './run-cli.js';
import { parseCsv, unbalancedTags } from '../report/report-checks.js';

// The built command line (npm test builds dist/ first), run as a user would, on a project the engine made:
// the demo CNN on the 5-image CIFAR-10 fixture, untrained, two sessions.
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-cli-compare-'));
const file = join(dir, 'study.pruneflow');
const data = join(dir, 'cifar10');
const env = { ...process.env, PRUNEFLOW_SETTINGS: join(dir, 'no-settings.json') };
const NAME = 'l2, "gentle" 30%';
const results: PruneResult[] = [];

/** Runs the CLI; Ctrl-C 300 ms after stderr shows `interruptWhen`: the cancel must land at a batch boundary. */
const pruneflow = (args: string[], interruptWhen?: string, extraEnv: NodeJS.ProcessEnv = {}) =>
  runCli(args, { env: { ...env, ...extraEnv }, cwd: dir, stop: interruptWhen ? { when: interruptWhen, signal: 'SIGINT', afterMs: 300 } : undefined });

beforeAll(async () => {
  await wasmCandidate.load();
  cpSync(join(ROOT, 'test/fixtures/cifar/cifar-10-batches-py'), data, { recursive: true });
  const context = { readAsset, openDataSource, projects: nodeProjectStore, backend: 'wasm', host: 'test' };
  const base = { ...DEFAULT_PRUNE_CONFIG, model: 'demo-cnn', data, trainEpochs: 0, fineTuneEpochs: 0, project: file };
  results.push(await runProjectSession({ ...base, sessionName: 'l1 half' }, context));
  results.push(await runProjectSession({ ...base, criterion: 'l2', target: { metric: 'flops', reduction: 0.3 }, sessionName: NAME }, context));
}, 120_000);

describe('pruneflow compare', () => {
  it('compares every session of a project, or the ones named, as a table or JSON', async () => {
    const json = await pruneflow(['compare', file, `${file}:${NAME}`, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const comparison = JSON.parse(json.stdout);
    expect(comparison.rows.map((r: { sessionId: string }) => r.sessionId)).toEqual(['s1', 's2']);
    expect(comparison.rows[1]).toMatchObject({ sessionName: NAME, pruned: { flops: results[1].pruned.flops } });
    expect(comparison.points.filter((p: { pareto: boolean }) => p.pareto).map((p: { row: number }) => p.row)).toContain(0);
    const text = await pruneflow(['compare', `${file}:s2`]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/l2, "gentle" 30% \(s2\)/);
    expect(text.stdout).toContain('Pareto front');
  });

  it('names an unknown session or a missing file', async () => {
    const [unknown, missing] = await Promise.all([pruneflow(['compare', `${file}:s7`, '--json']), pruneflow(['compare', join(dir, 'absent.pruneflow')])]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/UnknownSessionError: .*study.pruneflow has no session 's7'; its sessions: s1 \(l1 half\), s2/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ProjectNotFoundError');
  });
});

describe('pruneflow report', () => {
  it('writes an HTML report atomically, and prints Markdown or CSV', async () => {
    const out = join(dir, 'report.html');
    const written = await pruneflow(['report', file, '--out', out, '--json']);
    expect(written.code, written.stderr).toBe(0);
    expect(JSON.parse(written.stdout)).toEqual({ file: out, format: 'html' });
    const html = readFileSync(out, 'utf8');
    expect(unbalancedTags(html)).toEqual([]);
    expect(html.match(/<circle class="point/g)).toHaveLength(2);
    expect(html).toContain('l2, &quot;gentle&quot; 30%');
    const csv = await pruneflow(['report', file, '--session', 's2', '--format', 'csv']);
    expect(parseCsv(csv.stdout).map((r) => r[2])).toEqual(['session_name', NAME]);
    const md = await pruneflow(['report', file, '--out', join(dir, 'report.md')]);
    expect(md.stdout).toContain('report.md');
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/^# Pruneflow comparison: study.pruneflow/);
  });

  it('refuses an unknown format', async () => {
    const bad = await pruneflow(['report', file, '--format', 'pdf']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Allowed choices are html, md, csv/);
  });
});

describe('pruneflow export and eval', () => {
  it('exports a session; the exported model and the session evaluate alike, and as the session recorded', async () => {
    const out = join(dir, 'pruned-keras');
    const exported = await pruneflow(['export', file, '--session', 's1', '--format', 'keras', '--out', out, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const { files } = JSON.parse(exported.stdout);
    expect(files).toEqual([join(out, 'model.keras')]);
    const session = await pruneflow(['eval', `${file}:s1`, '--json']);
    expect(session.code, session.stderr).toBe(0);
    const bySession = JSON.parse(session.stdout);
    expect(bySession.top1).toBe(results[0].pruned.accuracy);
    expect(bySession.perClass).toHaveLength(10);
    expect(bySession.perClass.reduce((n: number, c: { images: number }) => n + c.images, 0)).toBe(bySession.images);
    const byFile = JSON.parse((await pruneflow(['eval', files[0], '--data', data, '--json'])).stdout);
    expect(byFile).toMatchObject({ top1: bySession.top1, flops: results[0].pruned.flops, parameters: results[0].pruned.parameters });
    expect(byFile.perClass).toEqual(bySession.perClass);
  });

  it('exports a session as TensorFlow Lite: one model.tflite, a TFLite flatbuffer (identifier TFL3)', async () => {
    const out = join(dir, 'pruned-tflite');
    const exported = await pruneflow(['export', file, '--session', 's1', '--format', 'tflite', '--out', out, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const { files } = JSON.parse(exported.stdout);
    expect(files).toEqual([join(out, 'model.tflite')]);
    expect(readFileSync(files[0]).subarray(4, 8).toString('latin1')).toBe('TFL3');
  });

  it('names what is missing: the session to export, the data set to evaluate on', async () => {
    const [noSession, badFormat, noData, twoSessions] = await Promise.all([
      pruneflow(['export', file, '--out', join(dir, 'x')]),
      pruneflow(['export', file, '--session', 's1', '--format', 'pytorch', '--out', join(dir, 'x')]),
      pruneflow(['eval', join(dir, 'pruned-keras/model.keras'), '--json']),
      pruneflow(['eval', file]),
    ]);
    expect(noSession.code).toBe(1);
    expect(noSession.stderr).toContain("required option '--session <id>' not specified");
    expect(badFormat.stderr).toMatch(/Allowed choices are tfjs, keras-h5, keras, onnx, tflite/);
    expect(noData.code).toBe(1);
    expect(noData.stderr).toContain('MissingDataError: Give the data set');
    expect(twoSessions.stderr).toMatch(/UnknownSessionError: .* has 2 finished sessions; name one as/);
  });
});

describe('pruneflow train', () => {
  it('trains a model from scratch and saves it, as JSON for scripts', async () => {
    const out = join(dir, 'trained');
    const run = await pruneflow(['train', '--model', 'demo-cnn', '--data', data, '--epochs', '1', '--batch-size', '4', '--out', out, '--json'], undefined, {
      PRUNEFLOW_TRAINING_REPLICAS: '1',
    });
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout);
    expect(outcome).toMatchObject({
      model: 'demo-cnn',
      epochs: 1,
      epochsDone: 1,
      cancelled: false,
      files: [join(out, 'model.json'), join(out, 'group1-shard1of1.bin')],
    });
    expect(outcome.accuracy).toBeGreaterThanOrEqual(0);
    const evaluated = JSON.parse((await pruneflow(['eval', join(out, 'model.json'), '--data', data, '--json'])).stdout);
    expect(evaluated.top1).toBe(outcome.accuracy);
  });

  it('stops on Ctrl-C at a batch boundary, saves the model as it stood and exits 130', async () => {
    const out = join(dir, 'interrupted');
    const run = await pruneflow(['train', '--model', 'demo-cnn', '--data', 'builtin:fashion-mnist', '--epochs', '20', '--out', out], 'training');
    expect(run.stderr).toContain('Cancelling training at the next batch');
    expect(run.stdout).toMatch(/cancelled after 0 of 20 epochs; saved the model as it stood/);
    expect(run.code).toBe(130);
    expect(existsSync(join(out, 'model.json'))).toBe(true);
  });

  it('says what is wrong with its options', async () => {
    const [zero, unknown] = await Promise.all([
      pruneflow(['train', '--model', 'demo-cnn', '--data', data, '--epochs', '0', '--out', join(dir, 'never')]),
      pruneflow(['train', '--model', 'resnet9000', '--data', data, '--epochs', '1', '--out', join(dir, 'never')]),
    ]);
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain('must be a whole number, 1 or more');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/UnknownModelError: No built-in model 'resnet9000'/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('explains every verb with --help', async () => {
    const verbs = ['compare', 'report', 'export', 'eval', 'train'];
    const helps = await Promise.all(verbs.map((verb) => pruneflow([verb, '--help'])));
    helps.forEach((help, i) => {
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: pruneflow ${verbs[i]} `));
    });
  });
});
