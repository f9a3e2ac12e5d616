// Pruned-model latency benchmark (npm run bench): ResNet-56 and VGG-16 pruned to 30/50/70% fewer FLOPs
// (L1, global ranking, kept channels in multiples of 8), counted FLOPs cut against measured latency cut on
// wasm at batch 1 and 64.
// Physical pruning is only worth it if the measured cut follows the counted one (target: at least 0.7 of it).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { buildChannelGraph } from '../../core/graph/channel-graph.js';
import { l1Norm } from '../../core/importance/l1-norm.js';
import { measureLatency } from '../../core/metrics/latency.js';
import { foldForInference } from '../../core/models/fold-for-inference.js';
import { countFlops } from '../../core/models/model-cost.js';
import { zooEntry } from '../../core/models/zoo.js';
import { planPruning } from '../../core/prune/budget.js';
import { pruneModel } from '../../core/prune/surgery.js';
import { machineFacts } from './machine.js';
import { writeReportSection } from './report-file.js';

const CUTS = [0.3, 0.5, 0.7];
const BATCHES = [1, 64];
const TARGET = 0.7;
/** XNNPACK's wasm kernels work on channels in blocks of 8: 13 channels cost as much as 16. */
const ROUND_TO = 8;

const ROUNDS = 3;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Latency at batch 1 and 64 of two models as deployed (batch norm and ReLU folded into the convolutions,
 * as `prune` measures), measured in alternating rounds so drift in the machine's load hits both alike.
 */
async function pairedLatencies(base: tfl.LayersModel, pruned: tfl.LayersModel): Promise<{ base: number[]; pruned: number[] }> {
  const runs = (batch: number) => (batch === 1 ? 20 : 3);
  const models = [await foldForInference(base), await foldForInference(pruned)];
  const times = models.map(() => BATCHES.map(() => [] as number[]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [m, model] of models.entries()) {
      for (const [b, batch] of BATCHES.entries()) times[m][b].push(await measureLatency(model, batch, runs(batch), 1));
    }
  }
  models.forEach((m) => m.dispose());
  return { base: times[0].map(median), pruned: times[1].map(median) };
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
    for (const cut of CUTS) {
      const plan = planPruning(graph, scores, { metric: 'flops', reduction: cut, roundTo: ROUND_TO });
      const pruned = await pruneModel(model, graph, plan.keep);
      const flopsCut = 1 - countFlops(pruned) / countFlops(model);
      const { base, pruned: times } = await pairedLatencies(model, pruned);
      const latencyCuts = times.map((ms, i) => 1 - ms / base[i]);
      worst = Math.min(worst, ...latencyCuts.map((l) => l / flopsCut));
      rows.push(
        `| ${id} | ${(cut * 100).toFixed(0)}% | ${(flopsCut * 100).toFixed(1)}% | ${times.map((ms, i) => `${ms.toFixed(1)} ms (from ${base[i].toFixed(1)})`).join(' | ')} | ` +
          `${latencyCuts.map((l) => `${(l * 100).toFixed(0)}% (${(l / flopsCut).toFixed(2)})`).join(' | ')} |`,
      );
      console.log(rows.at(-1));
      pruned.dispose();
    }
    model.dispose();
  }
  const body = `## Pruned models: counted FLOPs cut against measured latency cut

Last run: ${facts.date}, ${facts.cpu}, ${facts.cores} cores, wasm backend (SIMD, one thread). L1 ranking with one global
threshold bisected to the FLOPs cut, kept channels rounded to multiples of ${ROUND_TO} (\`--round-to ${ROUND_TO}\`): the wasm
kernels (XNNPACK) process channels in blocks of 8, so without rounding a 16-channel layer cut to 13 costs as much as before.
Latency of the model as deployed (batch norm and ReLU folded into the convolutions): the baseline and the pruned model
are measured in ${ROUNDS} alternating rounds (batch 1: 20 runs, batch 64: 3 runs per round, after warm-up), each the
median; alternating keeps drift in the shared machine's load from favouring either side. In brackets:
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
