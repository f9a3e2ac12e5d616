import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSweepSpec, type SweepSummary } from '../../../core/api/sweep.js';
import { findGpus, type GpuSource, NVIDIA_SMI_ARGS } from '../../../core/node/sweep/gpus.js';
import { localExecutor } from '../../../core/node/sweep/local-executor.js';
import { planWorkers } from '../../../core/node/sweep/worker-plan.js';
import { loadProjectFile, nodeProjectStore } from '../../../core/node/project-file.js';
import { runSweep } from '../../../core/session/sweep-coordinator.js';
import { ROOT } from '../../build/run.js';

// GPUs are found at the edge (CUDA_VISIBLE_DEVICES and nvidia-smi's listing); here the listing is text
// in nvidia-smi's own format (`nvidia-smi --query-gpu=index,uuid,name --format=csv,noheader`), so the
// planning and the pinning run on a machine without a GPU. The sweep itself runs for real.
const H100 = 'GPU-8a5c3d2e-1111-2222-3333-444455556666';
const A100 = 'GPU-03f1b7aa-7777-8888-9999-aaaabbbbcccc';
const LISTING = `0, ${H100}, NVIDIA H100 80GB HBM3\n1, ${A100}, NVIDIA A100-SXM4-40GB\n`;

const source = (listing: string | undefined, CUDA_VISIBLE_DEVICES?: string): GpuSource => ({
  env: CUDA_VISIBLE_DEVICES === undefined ? {} : { CUDA_VISIBLE_DEVICES },
  listing: async () => listing,
});

describe('finding the GPUs a sweep may use', () => {
  it('asks nvidia-smi for index, UUID and name as CSV without a header', () => {
    expect(NVIDIA_SMI_ARGS).toEqual(['--query-gpu=index,uuid,name', '--format=csv,noheader']);
  });

  const cases: { what: string; listing?: string; visible?: string; pins: string[]; labels?: string[] }[] = [
    {
      what: 'every listed GPU, pinned by UUID',
      listing: LISTING,
      pins: [H100, A100],
      labels: ['GPU 0 (NVIDIA H100 80GB HBM3)', 'GPU 1 (NVIDIA A100-SXM4-40GB)'],
    },
    { what: 'CUDA_VISIBLE_DEVICES narrows the listing by index', listing: LISTING, visible: '1', pins: [A100], labels: ['GPU 1 (NVIDIA A100-SXM4-40GB)'] },
    { what: 'or by a UUID prefix, in its order', listing: LISTING, visible: 'GPU-03f1, 0', pins: [A100, H100] },
    { what: 'up to the first entry that names no GPU, as CUDA reads it', listing: LISTING, visible: '1,7,0', pins: [A100] },
    { what: 'a GPU named twice ends the list', listing: LISTING, visible: '0,0,1', pins: [H100] },
    { what: 'empty hides every GPU', listing: LISTING, visible: '', pins: [] },
    { what: '-1 hides every GPU', listing: LISTING, visible: '-1', pins: [] },
    { what: 'no nvidia-smi and no variable: none', pins: [] },
    { what: 'no nvidia-smi: the variable as given', visible: '2,3', pins: ['2', '3'], labels: ['GPU 2', 'GPU 3'] },
    { what: 'no nvidia-smi: UUIDs as given', visible: H100, pins: [H100], labels: [H100] },
    { what: 'an empty listing (driver, no GPU): none', listing: '', pins: [] },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const gpus = await findGpus(source(c.listing, c.visible));
      expect(gpus.map((g) => g.pin)).toEqual(c.pins);
      if (c.labels) expect(gpus.map((g) => g.label)).toEqual(c.labels);
    });
  }

  it('names the line nvidia-smi printed in a shape it does not know', async () => {
    await expect(findGpus(source('No devices were found\n'))).rejects.toMatchObject({
      name: 'GpuListingError',
      message: 'nvidia-smi line 1: expected "index, uuid, name", but got "No devices were found"',
    });
  });
});

describe('planning the local workers', () => {
  it('a number of threads, or one per core by default', async () => {
    expect(await planWorkers(3, source(LISTING), 16)).toEqual([{ name: 'thread 1' }, { name: 'thread 2' }, { name: 'thread 3' }]);
    expect(await planWorkers(undefined, source(undefined), 2)).toEqual([{ name: 'thread 1' }, { name: 'thread 2' }]);
  });

  it('"gpu": one worker per GPU, each pinned to its own', async () => {
    expect(await planWorkers('gpu', source(LISTING), 16)).toEqual([
      { name: 'GPU 0 (NVIDIA H100 80GB HBM3)', gpu: H100 },
      { name: 'GPU 1 (NVIDIA A100-SXM4-40GB)', gpu: A100 },
    ]);
  });

  it('"gpu" without a GPU is a named error, not threads in its place', async () => {
    await expect(planWorkers('gpu', source(undefined), 16)).rejects.toMatchObject({
      name: 'NoGpuError',
      message: expect.stringContaining('nvidia-smi lists none or is not installed'),
    });
    await expect(planWorkers('gpu', source(LISTING, '-1'), 16)).rejects.toThrow(/CUDA_VISIBLE_DEVICES="-1" names none/);
  });
});

describe('a sweep with one worker per GPU', () => {
  const CLI = join(ROOT, 'dist/core/node/cli.js');
  const folder = mkdtempSync(join(tmpdir(), 'pruneflow-sweep-gpu-'));
  const base = join(folder, 'base.pruneflow');
  const run = promisify(execFile);
  const copy = (name: string) => {
    const file = join(folder, `${name}.pruneflow`);
    copyFileSync(base, file);
    return file;
  };
  const specOf = (file: string) => ({
    project: file,
    axes: { criteria: ['l1', 'random'] },
    fixed: { sample: { train: 200, test: 100 }, fineTuneEpochs: 0 },
  });
  /** `pruneflow sweep` where nvidia-smi cannot be found (only node's folder on PATH): CUDA_VISIBLE_DEVICES alone names the GPUs. */
  const sweepCli = (file: string, cudaVisibleDevices: string | undefined) => {
    const spec = join(folder, `${file.split('/').at(-1)}.json`);
    writeFileSync(spec, JSON.stringify(specOf(file)));
    const { CUDA_VISIBLE_DEVICES: _ignored, ...env } = process.env;
    return run(process.execPath, [CLI, 'sweep', spec, '--workers', 'gpu', '--json'], {
      env: { ...env, PATH: dirname(process.execPath), ...(cudaVisibleDevices !== undefined && { CUDA_VISIBLE_DEVICES: cudaVisibleDevices }) },
    }).then(
      (done) => ({ code: 0, ...done }),
      (failed: { code: number; stdout: string; stderr: string }) => failed,
    );
  };

  beforeAll(async () => {
    await run(process.execPath, [CLI, 'prune', '--demo', '--epochs', '0', '--fine-tune-epochs', '0', '--sample', '200,100', '--project', base]);
  }, 120_000);

  it('runs each job in a process pinned to its GPU: the session records the CUDA_VISIBLE_DEVICES it ran with', async () => {
    const file = copy('listed');
    const executor = localExecutor({ workers: 'gpu', gpus: source(LISTING) });
    try {
      const summary = await runSweep(parseSweepSpec({ ...specOf(file), axes: { criteria: ['l1', 'random'], seeds: [1, 2] } }), executor, {
        store: nodeProjectStore,
      });
      expect(summary.jobs.map((j) => j.status)).toEqual(['done', 'done', 'done', 'done']);
      const pins = new Map([
        ['GPU 0 (NVIDIA H100 80GB HBM3)', H100],
        ['GPU 1 (NVIDIA A100-SXM4-40GB)', A100],
      ]);
      expect(new Set(summary.jobs.map((j) => j.worker))).toEqual(new Set(pins.keys()));
      const project = await loadProjectFile(file);
      for (const job of summary.jobs) {
        const session = project.sessions.find((s) => s.record.id === job.sessionId)!;
        // Set in the worker's own process (CUDA reads it once per process), not in this one.
        expect(session.record.environment.machine.cudaVisibleDevices, job.name).toBe(pins.get(job.worker!));
      }
    } finally {
      await executor.close();
    }
  }, 300_000);

  it('pruneflow sweep --workers gpu: one worker per GPU that CUDA_VISIBLE_DEVICES names', async () => {
    const file = copy('visible');
    const done = await sweepCli(file, '0,1');
    expect(done.code, done.stderr).toBe(0);
    const summary = JSON.parse(done.stdout) as SweepSummary;
    expect(summary.jobs.map((j) => j.status)).toEqual(['done', 'done']);
    expect(new Set(summary.jobs.map((j) => j.worker))).toEqual(new Set(['GPU 0', 'GPU 1']));
    const project = await loadProjectFile(file);
    for (const job of summary.jobs) {
      const session = project.sessions.find((s) => s.record.id === job.sessionId)!;
      expect(session.record.environment.machine.cudaVisibleDevices).toBe(job.worker!.slice('GPU '.length));
    }
  }, 300_000);

  it('pruneflow sweep --workers gpu with no GPU: a named error, nothing run', async () => {
    const file = copy('none');
    const failed = await sweepCli(file, undefined);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/NoGpuError: workers "gpu": no NVIDIA GPU found \(nvidia-smi lists none or is not installed\)/);
    expect((await loadProjectFile(file)).sessions.filter((s) => s.record.id.startsWith('sw-'))).toHaveLength(0);
  }, 120_000);
});
