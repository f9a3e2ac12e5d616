// Pruned-model latency benchmark (npm run bench): ResNet-56 and VGG-16 pruned to 30/50/70% fewer FLOPs
// (L1; one global ranking, and uniform: the same share of every layer; kept channels in multiples of 8),
// counted FLOPs cut against measured latency cut on wasm at batch 1 and 64.
// Physical pruning is only worth it if the measured cut follows the counted one (target: at least 0.7 of it).
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { buildChannelGraph } from '../../core/graph/channel-graph.js';
import { l1Norm } from '../../core/importance/l1-norm.js';
import { foldForInference } from '../../core/models/fold-for-inference.js';
import { countFlops } from '../../core/models/model-cost.js';
import { zooEntry } from '../../core/models/zoo.js';
import { planPruning, planUniform } from '../../core/prune/budget.js';
import { pruneModel } from '../../core/prune/surgery.js';
import { machineFacts } from './machine.js';
import { writeReportSection } from './report-file.js';

const CUTS = [0.3, 0.5, 0.7];
const RANKINGS = { global: planPruning, uniform: planUniform };
const BATCHES = [1, 64];
const TARGET = 0.7;
/** XNNPACK's wasm kernels work on channels in blocks of 8: 13 channels cost as much as 16. */
const ROUND_TO = 8;

/** Runs of each model per batch size; batch 64 of VGG-16 takes about a second on this machine. */
const RUNS = { 1: 60, 64: 9 } as Record<number, number>;
const WARMUP = 2;

/**
 * Latency at batch 1 and 64 of two models as deployed (batch norm and ReLU folded into the convolutions,
 * as `prune` measures). The two models run alternately, one inference each, so a burst of load from the
 * shared machine's neighbours hits both alike. Two figures per model: the fastest wall time (the run least
 * disturbed by that load, as Python's timeit advises) and the median CPU time of this process, which time
 * given to other processes does not inflate (wasm inference here runs on one thread).
 */
async function pairedLatencies(base: tfl.LayersModel, pruned: tfl.LayersModel): Promise<PairedLatency[]> {
  const models = [await foldForInference(base), await foldForInference(pruned)];
  const results: PairedLatency[] = [];
  try {
    for (const batch of BATCHES) {
      const input = tf.randomNormal([batch, ...(base.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', 7);
      const times = models.map(() => [] as number[]);
      const cpuTimes = models.map(() => [] as number[]);
      for (let run = 0; run < WARMUP + RUNS[batch]; run++) {
        for (const [m, model] of models.entries()) {
          const start = performance.now();
          const cpuStart = process.cpuUsage();
          const output = model.predict(input) as tf.Tensor;
          await output.data();
          output.dispose();
          const cpu = process.cpuUsage(cpuStart);
          if (run >= WARMUP) {
            times[m].push(performance.now() - start);
            cpuTimes[m].push((cpu.user + cpu.system) / 1000);
          }
        }
      }
      input.dispose();
      results.push({
        base: Math.min(...times[0]),
        pruned: Math.min(...times[1]),
        baseCpu: median(cpuTimes[0]),
        prunedCpu: median(cpuTimes[1]),
      });
    }
  } finally {
    models.forEach((m) => m.dispose());
  }
  return results;
}

interface PairedLatency {
  /** Fastest run, milliseconds. */
  base: number;
  pruned: number;
  /** Median CPU time of one run (this process only: time the machine gave to others does not count). */
  baseCpu: number;
  prunedCpu: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  await wasmCandidate.load();
  const loadAtStart = loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');
  const facts = machineFacts();
  const rows: string[] = [];
  let worst = Infinity;
  let worstCpu = Infinity;
  for (const id of ['resnet56', 'vgg16']) {
    const model = zooEntry(id).build({ inputShape: [32, 32, 3], numClasses: 10 });
    const graph = buildChannelGraph(model);
    const scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
    for (const [ranking, planner] of Object.entries(RANKINGS))
      for (const cut of CUTS) {
        const plan = planner(graph, scores, { metric: 'flops', reduction: cut, roundTo: ROUND_TO });
        const pruned = await pruneModel(model, graph, plan.keep);
        const flopsCut = 1 - countFlops(pruned) / countFlops(model);
        const latencies = await pairedLatencies(model, pruned);
        const latencyCuts = latencies.map((l) => 1 - l.pruned / l.base);
        worst = Math.min(worst, ...latencyCuts.map((l) => l / flopsCut));
        const cpuCuts = latencies.map((l) => 1 - l.prunedCpu / l.baseCpu);
        worstCpu = Math.min(worstCpu, ...cpuCuts.map((l) => l / flopsCut));
        rows.push(
          `| ${id} | ${ranking} | ${(cut * 100).toFixed(0)}% | ${(flopsCut * 100).toFixed(1)}% | ` +
            `${latencies.map((l) => `${l.pruned.toFixed(1)} ms (from ${l.base.toFixed(1)})`).join(' | ')} | ` +
            `${latencyCuts.map((l) => `${(l * 100).toFixed(0)}% (${(l / flopsCut).toFixed(2)})`).join(' | ')} | ` +
            `${cpuCuts.map((l) => `${(l * 100).toFixed(0)}% (${(l / flopsCut).toFixed(2)})`).join(' | ')} |`,
        );
        console.log(rows.at(-1));
        pruned.dispose();
      }
    model.dispose();
  }
  const body = `## Pruned models: counted FLOPs cut against measured latency cut

Last run: ${facts.date}, ${facts.cpu}, ${facts.cores} cores, wasm backend (SIMD, one thread). L1 scores, two rankings: one global
threshold bisected to the FLOPs cut (\`global\`), and the same share of every layer (\`uniform\`, \`--ranking uniform\`; its widths
move in steps of ${ROUND_TO}, so its cut can pass the target). Kept channels rounded to multiples of ${ROUND_TO} (\`--round-to ${ROUND_TO}\`): the wasm
kernels (XNNPACK) process channels in blocks of 8, so without rounding a 16-channel layer cut to 13 costs as much as before.
Latency of the model as deployed (batch norm and ReLU folded into the convolutions): the baseline and the pruned model
run alternately, one inference each (batch 1: ${RUNS[1]} pairs, batch 64: ${RUNS[64]} pairs, after ${WARMUP} warm-up pairs), and each
model's figure is its fastest run, the one least disturbed by the shared machine's other load. In brackets: latency cut /
FLOPs cut; the target is at least ${TARGET}: ${worst >= TARGET ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)}). The CPU-time columns
measure the same runs by the CPU time this process used (median): time the machine gave to other processes does not count,
so they hold when neighbours load the machine (${worstCpu >= TARGET ? 'met' : 'NOT met'}, worst ${worstCpu.toFixed(2)}). Load average when the run
started: ${loadAtStart}.

| model | ranking | target cut | FLOPs cut | latency b1 | latency b64 | latency cut b1 | latency cut b64 | CPU-time cut b1 | CPU-time cut b64 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  console.log(body);
  if (!process.argv.includes('--no-write')) writeReportSection('pruned-latency', body);
  tf.disposeVariables();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
