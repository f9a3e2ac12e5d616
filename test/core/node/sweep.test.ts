import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SweepEvent, SweepSummary } from '../../../core/api/sweep.js';
import { createSweepService } from '../../../core/node/sweep/sweep-service.js';
import { nodeProjectStore } from '../../../core/node/project-file.js';
import { loadProjectFile } from '../../../core/node/project-file.js';
import { parseProject, serializeProject } from '../../../core/project/project-codec.js';
import type { Project } from '../../../core/project/project.js';
import { ROOT } from '../../build/run.js';
import { projectInfo } from '../../../core/node/cli-project.js';

// Real Redis on loopback at a random port, real `pruneflow worker` processes from the built CLI (dist/).
const CLI = join(ROOT, 'dist/core/node/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-sweep-'));
const env = { ...process.env, PRUNEFLOW_SETTINGS: join(dir, 'no-settings.json'), PRUNEFLOW_TRAINING_REPLICAS: '1' };
const children = new Set<ChildProcess>();

interface Started {
  child: ChildProcess;
  output: () => string;
  /** Resolves once the output matches. */
  waitFor: (pattern: RegExp, ms?: number) => Promise<void>;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function start(args: string[]): Started {
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd: dir });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) if (w.pattern.test(stderr + stdout)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
  };
  child.stdout!.on('data', (d) => ((stdout += d), check()));
  child.stderr!.on('data', (d) => ((stderr += d), check()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => (children.delete(child), resolve({ code, stdout, stderr }))),
  );
  return {
    child,
    output: () => stderr + stdout,
    exited,
    waitFor: (pattern, ms = 90_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms in:\n${stderr}${stdout}`)), ms);
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
        check();
        void exited.then(() => setTimeout(() => reject(new Error(`exited before ${pattern}:\n${stderr}${stdout}`)), 50));
      }),
  };
}

const pruneflow = (args: string[]) => start(args).exited;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let redisUrl = '';
let redis: ChildProcess | undefined;
/** The project every sweep here starts from: the demo CNN's baseline on the built-in data, no sessions. */
let base = '';

function project(name: string): string {
  const file = join(dir, `${name}.pruneflow`);
  copyFileSync(base, file);
  return file;
}

function spec(name: string, file: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, `${name}.json`);
  const value = {
    project: file,
    axes: {
      criteria: ['l1', 'random'],
      targets: [
        { metric: 'flops', reduction: 0.3 },
        { metric: 'params', reduction: 0.5 },
      ],
    },
    fixed: { sample: { train: 200, test: 100 }, batchSize: 32, fineTuneEpochs: 0 },
    ...extra,
  };
  writeFileSync(path, JSON.stringify(value));
  return path;
}

const sweepSessions = (p: Project) => p.sessions.filter((s) => s.record.id.startsWith('sw-'));
/** The channels each session removed, by session id: equal seeds and settings remove the same ones. */
const removed = (p: Project) =>
  Object.fromEntries(sweepSessions(p).map((s) => [s.record.id, s.record.history.map((h) => h.groups.map((g) => [g.producers, g.removed]))]));
const worker = (name: string, extra: string[] = []) =>
  start(['worker', '--queue', redisUrl, '--name', name, '--lock-ms', '4000', '--stalled-ms', '1000', ...extra]);

beforeAll(async () => {
  // A test that needs Redis fails, loudly, where it is missing: CI installs it (.ci/run).
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0)
    throw new Error(`redis-server is missing (${found.error?.message ?? found.stderr}): install it, e.g. apt-get install redis-server`);
  const port = await freePort();
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  redisUrl = `redis://127.0.0.1:${port}`;
  // The project: one quick session makes its baseline; the sweeps then start from a copy without it.
  const made = await pruneflow([
    'prune',
    '--model',
    'demo-cnn',
    '--data',
    'builtin:fashion-mnist',
    '--project',
    'made.pruneflow',
    '--epochs',
    '0',
    '--fine-tune-epochs',
    '0',
    '--sample',
    '200,100',
  ]);
  expect(made.code, made.stderr).toBe(0);
  const parsed = await parseProject(readFileSync(join(dir, 'made.pruneflow')));
  base = join(dir, 'base.pruneflow');
  writeFileSync(base, await serializeProject({ ...parsed, sessions: [] }));
});

// A test that fails before stopping its workers must not leave them to take the next test's jobs.
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  redis?.kill('SIGKILL');
});

describe('pruneflow sweep --queue with pruneflow worker (BullMQ on a real Redis)', () => {
  let queued: Project;

  it('runs a 2x2 sweep on two workers and writes four sessions into the project, each once', async () => {
    const a = worker('A');
    const b = worker('B');
    await Promise.all([a.waitFor(/waiting for jobs/), b.waitFor(/waiting for jobs/)]);
    const file = project('queued');
    const run = await pruneflow(['sweep', spec('queued', file), '--queue', redisUrl, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as SweepSummary;
    expect(summary.executor).toBe('queue');
    expect(summary.jobs.map((j) => j.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(summary.written).toBe(4);
    expect(new Set(summary.jobs.map((j) => j.worker))).toEqual(new Set(['A', 'B']));
    // Progress named the worker of every job.
    for (const job of summary.jobs) expect(run.stderr).toMatch(new RegExp(`${job.sessionId} .*: running on [AB]`));
    queued = await loadProjectFile(file);
    const sessions = sweepSessions(queued);
    expect(sessions.map((s) => s.record.id).sort()).toEqual(summary.jobs.map((j) => j.sessionId).sort());
    expect(sessions.every((s) => s.record.status === 'done' && s.record.result && s.weights.length > 0)).toBe(true);
    expect(queued.sessions).toHaveLength(4);
    // Run again: every session is there already; nothing is run or written twice.
    const again = await pruneflow(['sweep', spec('queued', file), '--queue', redisUrl, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as SweepSummary).written).toBe(0);
    expect((await loadProjectFile(file)).sessions).toHaveLength(4);
    a.child.kill('SIGINT');
    b.child.kill('SIGINT');
    expect((await a.exited).code).toBe(0);
    await b.exited;
  }, 400_000);

  it('finishes the job of a worker killed mid-job on the other worker: no session lost, none twice', async () => {
    const a = worker('A');
    await a.waitFor(/waiting for jobs/);
    const file = project('killed');
    // One longer session (fine-tuning), so the worker is surely in the middle of it when killed.
    const path = spec('killed', file, { axes: { criteria: ['l1'] }, fixed: { sample: { train: 400, test: 100 }, batchSize: 16, fineTuneEpochs: 3 } });
    const sweep = start(['sweep', path, '--queue', redisUrl, '--json']);
    await a.waitFor(/started \(try 1\)/);
    const b = worker('B');
    await b.waitFor(/waiting for jobs/);
    a.child.kill('SIGKILL');
    const run = await sweep.exited;
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as SweepSummary;
    expect(summary.jobs.map((j) => [j.status, j.worker])).toEqual([['done', 'B']]);
    expect(summary).toMatchObject({ written: 1, duplicates: 0 });
    expect(a.output()).not.toMatch(/: done/);
    expect(b.output()).toContain(`${summary.jobs[0].sessionId} `);
    const sessions = sweepSessions(await loadProjectFile(file));
    expect(sessions.map((s) => [s.record.id, s.record.status])).toEqual([[summary.jobs[0].sessionId, 'done']]);
    b.child.kill('SIGINT');
    await b.exited;
  }, 400_000);

  it("a worker whose data set differs from the project's refuses the job with a named error", async () => {
    const other = join(ROOT, 'test/fixtures/cifar/cifar-10-batches-bin');
    const c = worker('C', ['--data', other]);
    await c.waitFor(/waiting for jobs/);
    const file = project('refused');
    const path = spec('refused', file, { axes: { criteria: ['l2'] } });
    const run = await pruneflow(['sweep', path, '--queue', redisUrl, '--attempts', '1', '--json']);
    expect(run.code).toBe(1);
    const [job] = (JSON.parse(run.stdout) as SweepSummary).jobs;
    expect(job.status).toBe('failed');
    expect(job.error?.name).toBe('DatasetMismatchError');
    expect(job.error?.message).toContain(`${other} is not the project's data set`);
    expect(c.output()).toMatch(/DatasetMismatchError/);
    expect((await loadProjectFile(file)).sessions).toHaveLength(0);
    c.child.kill('SIGINT');
    await c.exited;
  }, 400_000);

  it('the local executor runs the same sweep to the same results: same seeds, same kept channels', async () => {
    expect(queued, 'the queued sweep ran first').toBeDefined();
    const file = project('local');
    const run = await pruneflow(['sweep', spec('local', file), '--workers', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as SweepSummary;
    expect(summary.executor).toBe('local');
    expect(new Set(summary.jobs.map((j) => j.worker))).toEqual(new Set(['thread 1', 'thread 2']));
    const local = await loadProjectFile(file);
    expect(Object.keys(removed(local)).sort()).toEqual(Object.keys(removed(queued)).sort());
    expect(removed(local)).toEqual(removed(queued));
    expect(Object.values(removed(local)).flat(3).length).toBeGreaterThan(0);
    for (const s of sweepSessions(local)) {
      const twin = queued.sessions.find((q) => q.record.id === s.record.id)!;
      expect(s.record.result!.pruneOnly.accuracy, s.record.name).toBe(twin.record.result!.pruneOnly.accuracy);
    }
  }, 400_000);

  it('stops a session early when it is below the best finished one at the same cut by more than the margin', async () => {
    const file = project('early');
    // One thread: jobs finish in order, so each is compared with those before it at its cut.
    const path = spec('early', file, { axes: { criteria: ['l1', 'random', 'l2'], seeds: [1, 2] }, earlyStop: { margin: 0 } });
    const run = await pruneflow(['sweep', path, '--workers', '1', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as SweepSummary;
    let best: number | undefined;
    for (const job of summary.jobs) {
      const below = best !== undefined && job.pruneOnlyAccuracy! < best;
      expect(job.status, `${job.name}: ${job.pruneOnlyAccuracy} against ${best}`).toBe(below ? 'stopped-early' : 'done');
      if (job.status === 'done') best = Math.max(best ?? 0, job.pruneOnlyAccuracy!);
    }
    const sessions = sweepSessions(await loadProjectFile(file));
    expect(sessions).toHaveLength(6);
    for (const s of sessions.filter((x) => (x.record.sweep as { outcome: string }).outcome === 'stopped-early')) {
      expect(s.record.status).toBe('cancelled');
      expect(s.record.checkpoint?.pruneOnlyAccuracy).toBeTypeOf('number');
      expect(s.record.result).toBeUndefined();
    }
    // `pruneflow project info` and the Project and Compare screens say so in words, and offer Resume.
    const stoppedIds = sessions.filter((x) => (x.record.sweep as { outcome: string }).outcome === 'stopped-early').map((x) => x.record.id);
    const info = await projectInfo(file);
    expect(info.sessions.filter((x) => x.status === 'stopped early').map((x) => x.id)).toEqual(stoppedIds);
    expect(info.sessions.filter((x) => x.status === 'stopped early').every((x) => x.resume)).toBe(true);
  }, 400_000);

  it('cancels queued and running jobs on Ctrl-C', async () => {
    const file = project('cancelled');
    const path = spec('cancelled', file, { fixed: { sample: { train: 400, test: 100 }, batchSize: 16, fineTuneEpochs: 3 } });
    const sweep = start(['sweep', path, '--workers', '1']);
    await sweep.waitFor(/running on thread 1/);
    sweep.child.kill('SIGINT');
    const run = await sweep.exited;
    expect(run.code, run.stderr).toBe(130);
    expect(run.stdout).toMatch(/4 sessions \(local executor.*0 done, 0 stopped early, 0 failed, 4 cancelled; 0 written/);
    expect(sweepSessions(await loadProjectFile(file))).toHaveLength(0);
  }, 400_000);

  it('cancels a queued sweep on Ctrl-C: the running job stops on its worker, the queued ones leave the queue', async () => {
    const d = worker('D');
    await d.waitFor(/waiting for jobs/);
    const file = project('queue-cancelled');
    const path = spec('queue-cancelled', file, { fixed: { sample: { train: 400, test: 100 }, batchSize: 16, fineTuneEpochs: 3 } });
    const sweep = start(['sweep', path, '--queue', redisUrl]);
    await sweep.waitFor(/running on D/);
    sweep.child.kill('SIGINT');
    const run = await sweep.exited;
    expect(run.code, run.stderr).toBe(130);
    expect(run.stdout).toMatch(/4 sessions \(queue executor.*0 done, 0 stopped early, 0 failed, 4 cancelled; 0 written/);
    await d.waitFor(/Cancelled|cancelled/);
    // The worker is free again, and nothing of the cancelled sweep is left for it.
    expect(d.output().match(/started \(try/g)).toHaveLength(1);
    expect(sweepSessions(await loadProjectFile(file))).toHaveLength(0);
    d.child.kill('SIGINT');
    await d.exited;
  }, 400_000);

  it('offers the same sweep through the calls a Sweep screen uses: plan, start, events', async () => {
    expect(queued, 'the queued sweep ran first').toBeDefined();
    const service = createSweepService(nodeProjectStore);
    // The plan says which sessions the project holds already.
    const plan = await service.planSweep(JSON.parse(readFileSync(join(dir, 'queued.json'), 'utf8')));
    expect(plan.jobs).toHaveLength(4);
    expect(plan.jobs.every((j) => j.existing)).toBe(true);
    const file = project('service');
    const events: SweepEvent[] = [];
    const finished = new Promise<SweepSummary>((resolve) => service.onSweepEvent((e) => (events.push(e), e.type === 'sweep-done' && resolve(e.summary))));
    const started = { project: file, axes: { criteria: ['l1'] }, fixed: { sample: { train: 200, test: 100 }, fineTuneEpochs: 0 } };
    const { sweepId } = await service.startSweep(started, { workers: 1 });
    // While it runs, a screen opened later finds it with what it was started with and its job.
    const [running] = await service.runningSweeps();
    expect(running).toMatchObject({ sweepId, spec: started, options: { workers: 1 }, executor: 'local', cancelling: false });
    expect(running.jobs.map((j) => [j.name, j.status])).toEqual([[expect.stringMatching(/^l1 /), expect.stringMatching(/^(queued|running)$/)]]);
    const summary = await finished;
    expect(await service.runningSweeps()).toEqual([]);
    expect(summary).toMatchObject({ sweepId, written: 1, executor: 'local' });
    expect(events.filter((e) => e.type === 'sweep-job').map((e) => (e as { job: { status: string } }).job.status)).toEqual(
      expect.arrayContaining(['queued', 'running', 'done']),
    );
    expect(sweepSessions(await loadProjectFile(file))).toHaveLength(1);
  }, 400_000);
});
