import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { torchPruningMissing } from './papers-setup.js';
import { childCpuSeconds } from './session-measure.js';
import { parseCliSession, type SessionBenchReport, SessionOutputError } from './session-report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
// The repository's own CIFAR-10 excerpt (200 training, 100 test images), so the test needs nothing beside the checkout.
const DATA = join(ROOT, 'test/fixtures/cifar/cifar-10-batches-bin');
const records = (file: string) => statSync(join(DATA, file)).size / 3073;
const scratch = mkdtempSync(join(tmpdir(), 'session-bench-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Torch-Pruning's source is fetched by hand into .cache/torch-pruning (no registry here ships it): where it is absent
// (CI), the benchmark (built, in dist/, looking in the same folder) runs Pruneflow's side alone and says so in its report, and the test checks that it says so.
const torchPruningAbsent = torchPruningMissing(process.env.PRUNEFLOW_TORCH_PRUNING ?? join(ROOT, '.cache/torch-pruning'));
const torchSide = torchPruningAbsent ? 'Torch-Pruning absent here: its side reported as not run' : 'Torch-Pruning beside it';

describe('bench:session', () => {
  it(`runs the tiny session end to end: Pruneflow's CLI into a project, ${torchSide}`, { timeout: 600_000 }, async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'dist/test/bench/session.js'), '--tiny', '--scratch', scratch], {
      cwd: ROOT,
      env: { ...process.env, PRUNEFLOW_BENCH_DATA: DATA },
      maxBuffer: 16 * 1024 * 1024,
    });
    const report = JSON.parse(readFileSync(join(scratch, 'report.json'), 'utf8')) as SessionBenchReport;
    expect(report.mode).toBe('tiny');
    expect(report.protocol).toMatchObject({
      trainImages: records('data_batch_1.bin'),
      testImages: records('test_batch.bin'),
      criterion: 'l1',
      flopsCut: 0.5,
      epochs: 1,
      weightDecay: 5e-4,
    });

    // Pruneflow's side: the session finished in the project, 50% of the FLOPs cut, accuracies as fractions.
    const p = report.pruneflow;
    expect(p.status).toBe('done');
    expect(p.flopsCut).toBeGreaterThan(0.45);
    for (const accuracy of [p.baselineAccuracy, p.pruneOnlyAccuracy, p.accuracy])
      (expect(accuracy).toBeGreaterThanOrEqual(0), expect(accuracy).toBeLessThanOrEqual(1));
    expect(p.baselineAccuracy).toBeCloseTo(report.baseline.pruneflowAccuracy, 6);
    expect(p.wallSeconds).toBeGreaterThan(p.sessionSeconds);
    expect(p.cpuSeconds).toBeGreaterThan(0);
    expect(p.backend).toMatch(/^\w[\w-]* \(/);
    expect(p.trainingEngines).toBeGreaterThanOrEqual(1);
    expect(p.command).toMatch(/^pruneflow prune .*--project .*session\.pruneflow/);
    expect(p.config).toMatchObject({ optimizer: 'sgd', weightDecay: 5e-4, fineTuneEpochs: 1 });
    expect(stdout).toContain('=== bench:session result (TINY MODE');
    expect(readFileSync(join(scratch, 'section.md'), 'utf8')).toContain('**tiny mode**');
    expect(existsSync(join(scratch, 'session.pruneflow'))).toBe(true);

    if (torchPruningAbsent) {
      expect(report.torch).toEqual({ ran: false, reason: torchPruningAbsent });
      expect(report.ratio).toBeUndefined();
      expect(stdout).toContain('Torch-Pruning: NOT RUN');
    } else {
      if (!report.torch.ran) throw new Error('Torch-Pruning did not run although its source is here');
      expect(report.torch.threads).toBe(2);
      expect(report.torch.flopsCut).toBeGreaterThan(0.45);
      expect(report.torch.accuracy).toBeGreaterThanOrEqual(0);
      expect(report.ratio).toBeCloseTo(p.wallSeconds / report.torch.wallSeconds, 10);
      expect(report.met).toBe(report.ratio! <= 2);
      expect(stdout).toMatch(/ratio \(Pruneflow \/ Torch-Pruning wall time\): \d+\.\d\dx against the target of at most 2x: (MET|MISSED)/);
    }
  });

  it('reads child CPU time past a command name with spaces and parentheses', () => {
    // /proc/PID/stat: pid (comm) state ppid ... utime(14) stime(15) cutime(16) cstime(17) ...
    const stat = '4242 (node (a) b) S 1 4242 4242 0 -1 4194304 100 200 0 0 1500 300 250 50 20 0 11 0 12345 1000000 5000';
    expect(childCpuSeconds(stat, 100)).toBe(3);
  });

  it("names what is missing from the CLI's output", () => {
    const info = {
      sessions: [
        { status: 'done', result: { baseline: { accuracy: 0.8, flops: 4e7 }, pruned: { accuracy: 0.7, flops: 2e7 }, pruneOnlyAccuracy: 0.3, seconds: 9 } },
      ],
    };
    expect(() => parseCliSession('loading: data\n', info)).toThrow(SessionOutputError);
    const stderr = 'backend: wasm (chosen automatically)\n  node: failed\n  wasm: SIMD on\n  forward passes: ONNX Runtime\nfine-tuning: epoch 1/1, loss 2.3\n';
    const parsed = parseCliSession(stderr, info);
    expect(parsed).toMatchObject({
      backend: 'wasm (chosen automatically)',
      backendDetails: ['wasm: SIMD on', 'forward passes: ONNX Runtime'],
      trainingEngines: 1,
    });
    expect(parsed.flopsCut).toBe(0.5);
    expect(() => parseCliSession(stderr, { sessions: [] })).toThrow(/0 sessions/);
  });
});
