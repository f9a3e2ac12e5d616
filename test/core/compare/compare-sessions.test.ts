import { describe, expect, it } from 'vitest';
import { compareSessions } from '../../../core/compare/compare-sessions.js';
import { paretoFlags } from '../../../core/compare/pareto.js';
import { selectSessions, UnknownSessionError } from '../../../core/compare/select-sessions.js';
import type { Project } from '../../../core/project/project.js';
import { compared, sessionRecord } from './compare-fixture.js';

describe('the Pareto front of accuracy against FLOPs', () => {
  it('flags the points no other beats in both, keeping ties', () => {
    const points = [
      { accuracy: 0.9, flops: 50 }, // front
      { accuracy: 0.88, flops: 40 }, // front
      { accuracy: 0.85, flops: 45 }, // beaten by the one above: more accurate, fewer FLOPs
      { accuracy: 0.9, flops: 60 }, // as accurate as the first, more FLOPs
      { accuracy: 0.92, flops: 80 }, // front: the most accurate
      { accuracy: 0.88, flops: 40 }, // the same as the second: neither beats the other
      { accuracy: 0.8, flops: 40 }, // same FLOPs as the second, less accurate
    ];
    expect(paretoFlags(points)).toEqual([true, true, false, false, true, true, false]);
    expect(paretoFlags([])).toEqual([]);
    expect(paretoFlags([{ accuracy: 0.1, flops: 1e9 }])).toEqual([true]);
  });
});

describe('compareSessions', () => {
  const sessions = [
    compared('a.pruneflow', sessionRecord('s1', 'l1 50%', 0.88, 100e6)),
    compared('a.pruneflow', sessionRecord('s2', 'cip 70%', 0.87, 60e6, 0.3)),
    compared('a.pruneflow', sessionRecord('s3', 'broken')),
    compared('b.pruneflow', sessionRecord('s1', 'random 50%', 0.8, 100e6)),
  ];
  const comparison = compareSessions(sessions);

  it('makes one row per session with its changes against its baseline', () => {
    expect(comparison.rows.map((r) => [r.project, r.sessionId, r.status])).toEqual([
      ['a.pruneflow', 's1', 'done'],
      ['a.pruneflow', 's2', 'done'],
      ['a.pruneflow', 's3', 'failed'],
      ['b.pruneflow', 's1', 'done'],
    ]);
    const [first, , failed] = comparison.rows;
    expect(first.accuracyChange).toBeCloseTo(-0.02, 10);
    expect(first.flopsChange).toBeCloseTo(-0.5, 10);
    expect(first.speedup).toBeCloseTo(2, 10);
    expect(first.pruned).toMatchObject({ top5: 0.98, latencyBatch: 64 });
    expect(first).toMatchObject({ criterion: 'l1', schedule: 'one-shot', seconds: 12.5, model: 'Demo CNN' });
    expect(failed.pruned).toBeUndefined();
    expect(failed.accuracyChange).toBeUndefined();
  });

  it('takes the speed-up from paired runs where the session has them, with their spread', () => {
    const record = sessionRecord('s4', 'paired', 0.88, 100e6);
    const spread = (median: number) => ({ median, q1: median * 0.9, q3: median * 1.1, runs: 11 });
    record.result!.speed = { speedup: spread(1.5), baselineMs: spread(3), prunedMs: spread(2), batch: 64, uncertain: false };
    const [row] = compareSessions([compared('c.pruneflow', record)]).rows;
    // The two separate medians (200 / 100 ms) would say 2x; the pairs say 1.5x.
    expect(row.speedup).toBe(1.5);
    expect(row.speed?.speedup.runs).toBe(11);
    expect(comparison.rows[0].speed).toBeUndefined();
  });

  it('plots the sessions with results, flags the front and adds one point per baseline', () => {
    const sessionPoints = comparison.points.filter((p) => !p.baseline);
    expect(sessionPoints.map((p) => [p.row, p.pareto])).toEqual([
      [0, true],
      [1, true],
      [3, false],
    ]);
    // Both projects' baselines measure the same; they are still two projects, so two reference points.
    expect(comparison.points.filter((p) => p.baseline).map((p) => p.label)).toEqual(['baseline of a.pruneflow', 'baseline of b.pruneflow']);
  });

  it('lines up kept channels per layer and session beside the baseline widths', () => {
    expect(comparison.layers.map((l) => l.layer)).toEqual(['conv1', 'conv2', 'dense']);
    expect(comparison.layers[1]).toEqual({ layer: 'conv2', baseline: [32, 32, null, 32], kept: [16, 10, null, 16] });
  });
});

describe('selectSessions', () => {
  const project = {
    sessions: [sessionRecord('s1', 'same'), sessionRecord('s2', 'same'), sessionRecord('s3', 'cip')].map((record) => ({ record, weights: new Uint8Array() })),
  } as unknown as Project;

  it('finds sessions by id or by a unique name, in the order asked, and all of them when none is named', () => {
    expect(selectSessions('p', project, ['cip', 's1']).map((s) => s.record.id)).toEqual(['s3', 's1']);
    expect(selectSessions('p', project).map((s) => s.record.id)).toEqual(['s1', 's2', 's3']);
  });

  it('names what it has when a session is unknown or a name is ambiguous', () => {
    expect(() => selectSessions('p.pruneflow', project, ['s7'])).toThrow(UnknownSessionError);
    expect(() => selectSessions('p.pruneflow', project, ['s7'])).toThrow(/p.pruneflow has no session 's7'; its sessions: s1 \(same\), s2 \(same\), s3 \(cip\)/);
    expect(() => selectSessions('p.pruneflow', project, ['same'])).toThrow(/2 sessions are named 'same'; give the id/);
  });
});
