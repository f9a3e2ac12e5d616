// ONNX benchmark (npm run bench:onnx): import time and peak memory of torchvision's resnet18 and densenet121
// (each import in a fresh process), and the latency in ONNX Runtime of resnet18's pruned ONNX export against
// the unpruned export at 30/50/70% fewer FLOPs, batch 1 and 32: latency cut over FLOPs cut (target at least 0.7).
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { memoryTree } from '../../core/data/file-tree.js';
import { buildChannelGraph } from '../../core/graph/channel-graph.js';
import { l1Norm } from '../../core/importance/l1-norm.js';
import { importModel } from '../../core/models/io/import-model.js';
import { exportOnnx } from '../../core/models/io/onnx/onnx-export.js';
import { countFlops } from '../../core/models/model-cost.js';
import { planPruning } from '../../core/prune/budget.js';
import { pruneModel } from '../../core/prune/surgery.js';
import { largeOnnx } from '../interop/onnx-fixtures.js';
import { machineFacts } from './machine.js';
import { writeReportSection } from './report-file.js';

const IMPORTED = ['resnet18', 'densenet121'];
const PRUNED = 'resnet18';
const CUTS = [0.3, 0.5, 0.7];
const BATCHES = [1, 32];
const RUNS: Record<number, number> = { 1: 30, 32: 4 };
const WARMUP = 2;
const TARGET = 0.7;
/**
 * Kept channels in multiples of 16 (`--round-to 16`): ONNX Runtime's CPU kernels (MLAS, AVX-512 here) work on blocks
 * of channels. Measured once at a 30% cut, batch 1, CPU time: widths in multiples of 1 cut latency by 0.23 of the
 * FLOPs cut, of 8 by 0.67, of 16 by 0.96, of 32 by 1.03.
 */
const ROUND_TO = 16;

/** One import in this process (the child): milliseconds, and the peak resident memory it added. */
async function importOnce(name: string): Promise<void> {
  await wasmCandidate.load();
  const { bytes } = await largeOnnx(name);
  const before = process.resourceUsage().maxRSS;
  const start = performance.now();
  const { model } = await importModel(memoryTree('bench', new Map([[`${name}.onnx`, bytes]])));
  const ms = performance.now() - start;
  const after = process.resourceUsage().maxRSS;
  console.log(
    JSON.stringify({
      ms,
      fileMiB: bytes.length / 2 ** 20,
      peakMiB: after / 1024,
      addedMiB: (after - before) / 1024,
      tensorMiB: tf.memory().numBytes / 2 ** 20,
      params: model.countParams(),
    }),
  );
}

interface ImportFacts {
  ms: number;
  fileMiB: number;
  peakMiB: number;
  addedMiB: number;
  tensorMiB: number;
  params: number;
}

function importInChild(name: string): ImportFacts {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--import', name], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as ImportFacts;
}

/**
 * Per batch size, two ONNX files run alternately in ONNX Runtime (one thread each): the fastest wall time of each,
 * and the median CPU time this process spent on one run (ONNX Runtime's threads are this process's, so time the
 * shared machine gives to other processes does not count).
 */
async function pairedLatency(files: Uint8Array[], input: number[]): Promise<{ base: number; pruned: number; baseCpu: number; prunedCpu: number }[]> {
  const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const sessions = await Promise.all(files.map((f) => ort.InferenceSession.create(f, options)));
  const results = [];
  try {
    for (const batch of BATCHES) {
      const data = Float32Array.from({ length: batch * input.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 7919) % 1000) / 1000);
      const feed = new ort.Tensor('float32', data, [batch, ...input]);
      const times = sessions.map(() => [] as number[]);
      const cpuTimes = sessions.map(() => [] as number[]);
      for (let run = 0; run < WARMUP + RUNS[batch]; run++) {
        for (const [s, session] of sessions.entries()) {
          const start = performance.now();
          const cpuStart = process.cpuUsage();
          await session.run({ [session.inputNames[0]]: feed });
          const cpu = process.cpuUsage(cpuStart);
          if (run >= WARMUP) {
            times[s].push(performance.now() - start);
            cpuTimes[s].push((cpu.user + cpu.system) / 1000);
          }
        }
      }
      results.push({ base: Math.min(...times[0]), pruned: Math.min(...times[1]), baseCpu: median(cpuTimes[0]), prunedCpu: median(cpuTimes[1]) });
    }
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
  return results;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const facts = machineFacts();
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');
  const importRows: string[] = [];
  for (const name of IMPORTED) {
    await largeOnnx(name); // made by the reference Python once, outside the measured child
    const f = importInChild(name);
    importRows.push(
      `| ${name} | ${f.fileMiB.toFixed(1)} MiB | ${(f.params / 1e6).toFixed(2)} M | ${(f.ms / 1000).toFixed(2)} ` +
        `s | ${f.peakMiB.toFixed(0)} MiB | ${f.addedMiB.toFixed(0)} MiB | ${f.tensorMiB.toFixed(0)} MiB |`,
    );
    console.log(importRows.at(-1));
  }

  await wasmCandidate.load();
  const { bytes, info } = await largeOnnx(PRUNED);
  const { model } = await importModel(memoryTree('bench', new Map([[`${PRUNED}.onnx`, bytes]])));
  const graph = buildChannelGraph(model);
  const scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
  const base = await exportOnnx(model, { foldBatchNorm: true });
  const rows: string[] = [];
  let worst = Infinity;
  let worstCpu = Infinity;
  for (const cut of CUTS) {
    const plan = planPruning(graph, scores, { metric: 'flops', reduction: cut, roundTo: ROUND_TO });
    const pruned = await pruneModel(model, graph, plan.keep);
    const flopsCut = 1 - countFlops(pruned) / countFlops(model);
    const exported = await exportOnnx(pruned, { foldBatchNorm: true });
    const latencies = await pairedLatency([base, exported], info.input);
    const cuts = latencies.map((l) => 1 - l.pruned / l.base);
    worst = Math.min(worst, ...cuts.map((c) => c / flopsCut));
    const cpuCuts = latencies.map((l) => 1 - l.prunedCpu / l.baseCpu);
    worstCpu = Math.min(worstCpu, ...cpuCuts.map((c) => c / flopsCut));
    rows.push(
      `| ${PRUNED} | ${(cut * 100).toFixed(0)}% | ${(flopsCut * 100).toFixed(1)}% | ${(pruned.countParams() / 1e6).toFixed(2)} M | ` +
        `${latencies.map((l) => `${l.pruned.toFixed(1)} ms (from ${l.base.toFixed(1)})`).join(' | ')} ` +
        `| ${cuts.map((c) => `${(c * 100).toFixed(0)}% (${(c / flopsCut).toFixed(2)})`).join(' | ')} | ` +
        `${cpuCuts.map((c) => `${(c * 100).toFixed(0)}% (${(c / flopsCut).toFixed(2)})`).join(' | ')} |`,
    );
    console.log(rows.at(-1));
    pruned.dispose();
  }
  model.dispose();

  const body = `## ONNX

Last run: ${facts.date}, ${facts.cpu}, ${facts.cores} cores, onnxruntime-node ${ort.env.versions.common}, load average at the start ${load}.
torchvision's models as \`torch.onnx.export\` writes them (weights=None; test/fixtures/onnx/make_onnx_fixtures.py).

**Import** (\`importModel\` on the file's bytes, wasm backend): each in a fresh Node process. Peak = the process's
maximum resident memory after the import (Node, the wasm backend and the file included); added = how much the
import raised it; tensors = the engine's weight memory.

| model | file | parameters | import time | peak memory | added by the import | tensors |
| --- | --- | --- | --- | --- | --- | --- |
${importRows.join('\n')}

**Pruned exports in ONNX Runtime** (CPU, one thread): ${PRUNED} imported, L1 scores, one global ranking bisected to
the FLOPs cut, kept channels in multiples of ${ROUND_TO} (\`--round-to ${ROUND_TO}\`: ONNX Runtime's CPU kernels work on blocks of
channels; with multiples of 8 the 30% cut gave 0.67 of its FLOPs cut in CPU time, with
16 0.96, with none 0.23); exported to ONNX with batch norms folded, as is the unpruned
baseline. The two files run alternately (batch 1: ${RUNS[1]} pairs, batch 32: ${RUNS[32]} pairs, after ${WARMUP} warm-up pairs); each
figure is the fastest run. In brackets: latency cut / FLOPs cut; the target is at
least ${TARGET}: ${worst >= TARGET ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)}).
The CPU-time columns measure the same runs by the CPU time this process used (median), which other processes' load
on the shared machine does not inflate: ${worstCpu >= TARGET ? 'met' : 'NOT met'} (worst ${worstCpu.toFixed(2)}).

| model | target cut | FLOPs cut | parameters | latency b1 | latency b32 | latency cut b1 | latency cut b32 | CPU-time cut b1 | CPU-time cut b32 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  console.log(body);
  if (!process.argv.includes('--no-write')) writeReportSection('onnx', body, 'npm run bench:onnx');
}

const childAt = process.argv.indexOf('--import');
(childAt >= 0 ? importOnce(process.argv[childAt + 1]) : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
