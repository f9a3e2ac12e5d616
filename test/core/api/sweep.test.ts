import { describe, expect, it } from 'vitest';
import { DEFAULT_PRUNE_CONFIG } from '../../../core/api/run-options.js';
import { canonicalJson, expandSweep, jobCount, parseSweepSpec, stopsEarly, sweepIdOf } from '../../../core/api/sweep.js';

const base = { model: 'demo-cnn', data: 'builtin:fashion-mnist' };
const spec2x2 = {
  project: 'p.pruneflow',
  axes: {
    criteria: ['l1', 'random'],
    targets: [
      { metric: 'flops', reduction: 0.3 },
      { metric: 'params', reduction: 0.5 },
    ],
  },
  fixed: { sample: { train: 200, test: 100 }, batchSize: 32 },
  earlyStop: { margin: 0.05 },
};

describe('a sweep spec', () => {
  it("is checked, with fixed settings checked by the run options' own schema and messages", () => {
    const spec = parseSweepSpec(spec2x2);
    expect(spec.fixed.batchSize).toBe(32);
    expect(spec.earlyStop).toEqual({ margin: 0.05 });
    expect(() => parseSweepSpec({ ...spec2x2, fixed: { batchSize: 0 } })).toThrow(/fixed\.batchSize must be an integer from 1 to 4096, but got 0/);
    expect(() => parseSweepSpec({ ...spec2x2, fixed: { bogus: 1 } })).toThrow(/unknown option "bogus"/);
    // What a sweep sets itself cannot be fixed: the project's model and data, an export, baseline training.
    for (const key of ['model', 'data', 'export', 'trainEpochs', 'project']) {
      expect(() => parseSweepSpec({ ...spec2x2, fixed: { [key]: 'x' } }), key).toThrow(new RegExp(`fixed\\.${key} is set by the sweep itself`));
    }
    expect(() => parseSweepSpec({ ...spec2x2, fixed: { criterion: 'l2' } })).toThrow(/criterion is an axis \(axes\.criteria\)/);
    expect(() => parseSweepSpec({ ...spec2x2, axes: { seeds: [1, 1] } })).toThrow(/axes\.seeds: values must differ/);
    expect(() => parseSweepSpec({ ...spec2x2, axes: { targets: [{ metric: 'flops', reduction: 1.5 }] } })).toThrow(/axes\.targets\.0\.reduction/);
    expect(() => parseSweepSpec({ ...spec2x2, axes: { colours: ['red'] } })).toThrow(/Unrecognized key/);
    expect(() => parseSweepSpec({ axes: {} })).toThrow(/project/);
    expect(() => parseSweepSpec({ ...spec2x2, earlyStop: { margin: -1 } })).toThrow(/earlyStop\.margin/);
  });

  it('refuses a grid too large to run', () => {
    const many = Array.from({ length: 100 }, (_, i) => i);
    expect(() => parseSweepSpec({ project: 'p', axes: { seeds: many, fineTuneEpochs: many, criteria: ['l1', 'l2'] } })).toThrow(
      /the axes make 20000 sessions; at most 10000/,
    );
    expect(jobCount({ seeds: [1, 2, 3], criteria: ['l1', 'l2'] })).toBe(6);
  });

  it('expands into a fixed order of full run configs, each with an id derived from its settings', async () => {
    const jobs = await expandSweep(parseSweepSpec(spec2x2), base);
    expect(jobs.map((j) => [j.config.criterion, j.config.target.metric, j.cut])).toEqual([
      ['l1', 'flops', 'flops:0.3'],
      ['l1', 'params', 'params:0.5'],
      ['random', 'flops', 'flops:0.3'],
      ['random', 'params', 'params:0.5'],
    ]);
    for (const job of jobs) {
      expect(job.sessionId).toMatch(/^sw-[0-9a-f]{12}$/);
      // Every option the schema defaults is there; the sweep's sessions never retrain the baseline.
      const { criterion: _c, target: _t, ...defaults } = DEFAULT_PRUNE_CONFIG;
      expect(job.config).toMatchObject({ ...defaults, ...base, trainEpochs: 0, batchSize: 32, sample: { train: 200, test: 100 }, sessionName: job.name });
    }
    expect(new Set(jobs.map((j) => j.sessionId)).size).toBe(4);
    expect(new Set(jobs.map((j) => j.name)).size).toBe(4);
    // The same spec gives the same ids; the data set's path does not count (a remote worker reads it elsewhere).
    const again = await expandSweep(parseSweepSpec(spec2x2), { ...base, data: '/elsewhere/fashion' });
    expect(again.map((j) => j.sessionId)).toEqual(jobs.map((j) => j.sessionId));
    // Any other setting does: a changed batch size is another session.
    const other = await expandSweep(parseSweepSpec({ ...spec2x2, fixed: { ...spec2x2.fixed, batchSize: 16 } }), base);
    expect(other.map((j) => j.sessionId).filter((id) => jobs.some((j) => j.sessionId === id))).toEqual([]);
    // A smaller grid inside it keeps the ids of the sessions they share.
    const one = await expandSweep(parseSweepSpec({ ...spec2x2, axes: { criteria: ['random'], targets: [spec2x2.axes.targets[1]] } }), base);
    expect(one.map((j) => j.sessionId)).toEqual([jobs[3].sessionId]);
    expect(await sweepIdOf('p.pruneflow', jobs)).toBe(await sweepIdOf('p.pruneflow', again));
    expect(await sweepIdOf('q.pruneflow', jobs)).not.toBe(await sweepIdOf('p.pruneflow', jobs));
  });

  it('takes an absent axis from the fixed setting, else the default', async () => {
    const jobs = await expandSweep(parseSweepSpec({ project: 'p', axes: { seeds: [3, 4] }, fixed: { criterion: 'l2', fineTuneEpochs: 1 } }), base);
    expect(jobs.map((j) => [j.config.criterion, j.config.seed, j.config.fineTuneEpochs, j.config.schedule])).toEqual([
      ['l2', 3, 1, 'one-shot'],
      ['l2', 4, 1, 'one-shot'],
    ]);
  });

  it('writes canonical JSON whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: undefined } })).toBe('{"a":{"d":[1,{"e":3,"f":2}]},"b":1}');
  });

  it('stops early only below the best finished session by more than the margin', () => {
    expect(stopsEarly(0.5, 0.6, 0.05)).toBe(true);
    expect(stopsEarly(0.56, 0.6, 0.05)).toBe(false);
    expect(stopsEarly(0.1, undefined, 0.05)).toBe(false);
    expect(stopsEarly(0.1, 0.9, undefined)).toBe(false);
  });
});
