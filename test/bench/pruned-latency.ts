// Pruned-model latency benchmark (npm run bench): ResNet-56 and VGG-16 pruned uniformly to 30/50/70% fewer
// FLOPs (L1 ranking), counted FLOPs cut against measured latency cut on wasm at batch 1 and 64.
// Physical pruning is only worth it if the measured cut follows the counted one (target: at least 0.7 of it).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { buildChannelGraph } from '../../core/graph/channel-graph.js';
import { l1Norm } from '../../core/importance/l1-norm.js';
import { measureLatency } from '../../core/metrics/latency.js';
import { countFlops } from '../../core/models/model-cost.js';
import { zooEntry } from '../../core/models/zoo.js';
import { planUniform } from '../../core/prune/budget.js';
import { pruneModel } from '../../core/prune/surgery.js';
import { machineFacts } from './machine.js';
import { writeReportSection } from './report-file.js';

const CUTS = [0.3, 0.5, 0.7];
const BATCHES = [1, 64];
const TARGET = 0.7;

async function latencies(model: tfl.LayersModel): Promise<number[]> {
  const runs = (batch: number) => (batch === 1 ? 30 : 5);
  const result: number[] = [];
  for (const batch of BATCHES) result.push(await measureLatency(model, batch, runs(batch), 2));
  return result;
}

async function main(): Promise<void> {
  await wasmCandidate.load();
  const facts = machineFacts();
  const rows: string[] = [];
  let worst = Infinity;
  for (const id of ['resnet56', 'vgg16']) {
    const model = zooEntry(id).build({ inputShape: [32, 32, 3], numClasses: 10 });
    const graph = buildChannelGraph(model);
    const scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
    const base = await latencies(model);
    rows.push(`| ${id} | 0% | 0% | ${base.map((ms) => `${ms.toFixed(1)} ms`).join(' | ')} | | |`);
    for (const cut of CUTS) {
      const plan = planUniform(graph, scores, { metric: 'flops', reduction: cut });
      const pruned = await pruneModel(model, graph, plan.keep);
      const flopsCut = 1 - countFlops(pruned) / countFlops(model);
      const times = await latencies(pruned);
      const latencyCuts = times.map((ms, i) => 1 - ms / base[i]);
      worst = Math.min(worst, ...latencyCuts.map((l) => l / flopsCut));
      rows.push(
        `| ${id} | ${(cut * 100).toFixed(0)}% | ${(flopsCut * 100).toFixed(1)}% | ${times.map((ms) => `${ms.toFixed(1)} ms`).join(' | ')} | ` +
          `${latencyCuts.map((l) => `${(l * 100).toFixed(0)}% (${(l / flopsCut).toFixed(2)})`).join(' | ')} |`,
      );
      console.log(rows.at(-1));
      pruned.dispose();
    }
    model.dispose();
  }
  const body = `## Pruned models: counted FLOPs cut against measured latency cut

Last run: ${facts.date}, ${facts.cpu}, ${facts.cores} cores, wasm backend (SIMD, one thread). Uniform pruning: every
prunable channel group loses the same share of its lowest-L1 channels, the share bisected to the FLOPs cut.
Latency is the median of repeated inference runs after warm-up (batch 1: 30 runs, batch 64: 5 runs). In brackets:
latency cut / FLOPs cut; the target is at least ${TARGET}: ${worst >= TARGET ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)}).

| model | target cut | FLOPs cut | latency b1 | latency b64 | latency cut b1 | latency cut b64 |
| --- | --- | --- | --- | --- | --- | --- |
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
