import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerCall } from '../../../core/api/answer-call.js';
import type { EngineApi, EngineEvent, PruneResult } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { UnknownSessionError } from '../../../core/compare/select-sessions.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { nodeRunHost } from '../../../core/node/node-engine.js';
import { openModelSource } from '../../../core/node/open-model-source.js';
import { loadProjectFile } from '../../../core/node/project-file.js';
import { NotAProjectError, ProjectNotFoundError } from '../../../core/project/project-errors.js';
import { openSessionModel } from '../../../core/project/session-model.js';
import { createEngine } from '../../../core/session/engine.js';
import { decodeOnnx } from '../../../core/models/io/onnx/onnx-proto.js';
import { maxAbsDiff, randomImages, runOrt } from '../models/onnx/onnx-runtime.js';
import { parseCsv, unbalancedTags } from '../report/report-checks.js';

// A real project: the demo CNN on the bundled Fashion-MNIST sample, untrained, two sessions made by the engine.
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-calls-'));
const file = join(dir, 'fashion.pruneflow');
const HOSTILE = '<script>alert(1)</script>';
let engine: EngineApi;
const results: PruneResult[] = [];

function finished(taskId: string): Promise<PruneResult> {
  return new Promise((resolve, reject) => {
    const off = engine.onEvent((event: EngineEvent) => {
      if (event.taskId !== taskId) return;
      if (event.type === 'task-done') resolve(event.result);
      else if (event.type === 'task-failed') reject(new Error(`${event.error.name}: ${event.error.message}`));
      else return;
      off();
    });
  });
}

beforeAll(async () => {
  engine = createEngine({ host: 'test', candidates: [wasmCandidate], ...nodeRunHost(), trainingReplicas: undefined });
  const base = { model: 'demo-cnn', data: 'builtin:fashion-mnist', trainEpochs: 0, fineTuneEpochs: 0, calibrationBatches: 1, project: file };
  for (const config of [
    { ...base, sessionName: HOSTILE },
    { ...base, criterion: 'l2', target: { metric: 'flops' as const, reduction: 0.3 } },
  ]) {
    const { taskId } = await engine.startPruning(config);
    results.push(await finished(taskId));
    await new Promise((resolve) => setTimeout(resolve, 0)); // the engine frees its task slot after the event
  }
}, 120_000);

describe('engine calls for projects', () => {
  it('opens a project: data set, baseline and each session with its metrics', async () => {
    const summary = await engine.openProject(file);
    expect(summary.dataset).toMatchObject({ path: 'builtin:fashion-mnist', found: true });
    expect(summary.baseline).toMatchObject({ source: 'demo-cnn', trainEpochs: 0, accuracy: results[0].baseline.accuracy, flops: results[0].baseline.flops });
    expect(summary.sessions.map((s) => [s.id, s.name, s.status, s.criterion])).toEqual([
      ['s1', HOSTILE, 'done', 'group-l1'],
      ['s2', 'L2 norm, one-shot, 30% FLOPs', 'done', 'l2'],
    ]);
    expect(summary.sessions[1].metrics).toMatchObject({
      accuracy: results[1].pruned.accuracy,
      flops: results[1].pruned.flops,
      parameters: results[1].pruned.parameters,
    });
    expect(summary.sessions[0].removedChannels).toBeGreaterThan(0);
  });

  it('compares the sessions with their recorded metrics, points and layer widths', async () => {
    const comparison = await engine.compareSessions([{ path: file }, { path: file, session: 's2' }]);
    expect(comparison.rows.map((r) => r.sessionId)).toEqual(['s1', 's2']); // s2 named twice is one row
    expect(comparison.rows[0]).toMatchObject({ criterion: 'group-l1', pruned: { accuracy: results[0].pruned.accuracy, flops: results[0].pruned.flops } });
    expect(comparison.rows[1].flopsChange).toBeCloseTo(results[1].pruned.flops / results[1].baseline.flops - 1, 12);
    // The 50% cut has fewer FLOPs than the 30% one, so it is on the front whatever the accuracies.
    expect(comparison.points.filter((p) => !p.baseline).map((p) => p.flops)).toEqual([results[0].pruned.flops, results[1].pruned.flops]);
    expect(comparison.points[0].pareto).toBe(true);
    expect(comparison.points.filter((p) => p.baseline)).toHaveLength(1);
    expect(comparison.layers.map((l) => l.layer)).toEqual(results[0].baseline.layerWidths.map((l) => l.name));
    expect(comparison.layers.map((l) => l.kept)).toEqual(results[0].pruned.layerWidths.map((l, i) => [l.channels, results[1].pruned.layerWidths[i].channels]));
  });

  it('exports a session replayed on the baseline; the files load and predict exactly as the replayed model', async () => {
    const project = await loadProjectFile(file);
    const replayed = await openSessionModel(project, project.sessions[0]);
    const input = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 7);
    const expected = await (replayed.predict(input) as tf.Tensor).data();
    for (const format of ['tfjs', 'keras-h5', 'keras'] as const) {
      const out = join(dir, `export-${format}`);
      const { files } = await engine.exportSession(file, 's1', format, out);
      expect(files.length).toBeGreaterThan(0);
      const loaded = (await importModel(await openModelSource(format === 'tfjs' ? join(out, 'model.json') : files[0]))).model;
      const got = await (loaded.predict(input) as tf.Tensor).data();
      expect(Array.from(got)).toEqual(Array.from(expected));
      expect(loaded.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => (l.outputShape as number[])[3])).toEqual(
        results[0].pruned.layerWidths.filter((l) => l.name !== 'fc').map((l) => l.channels),
      );
      loaded.dispose();
    }
    replayed.dispose();
    input.dispose();
  });

  it('exports ONNX with batch norms folded when asked: no BatchNormalization node, fewer nodes, the same outputs in ONNX Runtime', async () => {
    const plain = await engine.exportSession(file, 's2', 'onnx', join(dir, 'onnx-plain'));
    const folded = await engine.exportSession(file, 's2', 'onnx', join(dir, 'onnx-folded'), { foldBatchNorm: true });
    const [a, b] = [plain.files[0], folded.files[0]].map((f) => new Uint8Array(readFileSync(f)));
    const ops = (bytes: Uint8Array) => (decodeOnnx(bytes, 'model.onnx').graph?.node ?? []).map((n) => n.op_type);
    expect(ops(a)).toContain('BatchNormalization');
    expect(ops(b)).not.toContain('BatchNormalization');
    expect(ops(b).length).toBeLessThan(ops(a).length);
    const images = randomImages(4, [1, 28, 28], 3);
    const [outA, outB] = [await runOrt(a, images, [4, 1, 28, 28]), await runOrt(b, images, [4, 1, 28, 28])];
    expect(maxAbsDiff(outA.values, outB.values)).toBeLessThan(1e-4);
    const refused = await answerCall(engine, { method: 'exportSession', args: [file, 's2', 'onnx', dir, { fold: true }] });
    expect(refused).toMatchObject({ ok: false, error: { name: 'InvalidCallError', message: expect.stringMatching(/options must be \{ foldBatchNorm\?/) } });
  });

  it('writes reports: an HTML page with a point per session, and a CSV that parses back', async () => {
    const html = join(dir, 'report.html');
    expect(await engine.writeReport(file, [], 'html', html)).toEqual({ file: html });
    const page = readFileSync(html, 'utf8');
    expect(unbalancedTags(page)).toEqual([]);
    expect(page.match(/<circle class="point/g)).toHaveLength(2);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain(HOSTILE);
    const csv = join(dir, 'one.csv');
    await engine.writeReport(file, ['s2'], 'csv', csv);
    const records = parseCsv(readFileSync(csv, 'utf8'));
    expect(records).toHaveLength(2);
    expect(records[1].slice(0, 3)).toEqual([file, 's2', 'L2 norm, one-shot, 30% FLOPs']);
    expect(Number(records[1][records[0].indexOf('top1')])).toBe(results[1].pruned.accuracy);
  });

  it('answers the calls as a host does: plain data, errors with their names', async () => {
    const reply = await answerCall(engine, { method: 'openProject', args: [file] });
    expect(reply).toMatchObject({ ok: true, value: { path: file, sessions: [{ id: 's1' }, { id: 's2' }] } });
    const failed = await answerCall(engine, { method: 'compareSessions', args: [[{ path: file, session: 's3' }]] });
    expect(failed).toMatchObject({ ok: false, error: { name: 'UnknownSessionError' } });
    const refused = await answerCall(engine, { method: 'exportSession', args: [file, 's1', 'pytorch', dir] });
    expect(refused).toMatchObject({ ok: false, error: { name: 'InvalidCallError' } });
  });

  it('names what is wrong: no such file, not a project, no such session', async () => {
    await expect(engine.openProject(join(dir, 'absent.pruneflow'))).rejects.toThrow(ProjectNotFoundError);
    const notProject = join(dir, 'notes.pruneflow');
    writeFileSync(notProject, 'hello');
    await expect(engine.compareSessions([{ path: notProject }])).rejects.toThrow(NotAProjectError);
    await expect(engine.exportSession(file, 's9', 'tfjs', join(dir, 'never'))).rejects.toThrow(UnknownSessionError);
    await expect(engine.writeReport(file, ['nope'], 'md', join(dir, 'never.md'))).rejects.toThrow(
      /has no session 'nope'; its sessions: s1 \(<script>alert\(1\)<\/script>\), s2/,
    );
  });
});
