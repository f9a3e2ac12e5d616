// `npm run bench:rounding`: which rounding of kept channels makes a pruned model faster, on each engine that
// times a session (ONNX Runtime in Node, tfjs wasm). ResNet-20 with 1x1 shortcuts (narrowest layers 16 channels)
// and VGG-16 (narrowest 64) pruned by L1 with global ranking to 50% fewer FLOPs, kept channels exact, in
// multiples of 8 and of 16, and as the default rule rounds them (core/prune/default-rounding.ts); each pruned
// model timed in alternating pairs with its baseline, as a session times them (measureSpeedup).
import { loadavg } from 'node:os';
import { ForwardChooser } from '../../core/backend/forward-runner.js';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { buildChannelGraph } from '../../core/graph/channel-graph.js';
import { l1Norm } from '../../core/importance/l1-norm.js';
import { LATENCY_PROFILES } from '../../core/metrics/latency-profiles.js';
import { measureSpeedup } from '../../core/metrics/latency.js';
import { foldForInference } from '../../core/models/fold-for-inference.js';
import { countFlops } from '../../core/models/model-cost.js';
import { zooEntry } from '../../core/models/zoo.js';
import { onnxRuntimeEngine } from '../../core/node/ort-runner.js';
import { planPruning } from '../../core/prune/budget.js';
import { defaultRounding } from '../../core/prune/default-rounding.js';
import { pruneModel } from '../../core/prune/surgery.js';
import { machineFacts } from './machine.js';
import { writeReportSection } from './report-file.js';

const CUT = 0.5;
const MODELS = ['resnet20-b', 'vgg16'];
const ROUNDINGS = [1, 8, 16];
/** Batch 1 as an app answers one image, batch 64 as a session times (latencyRuns); pairs after warm-ups. */
const BATCHES = [
  { batch: 1, runs: 101, warmup: 5 },
  { batch: 64, runs: 31, warmup: 3 },
];
const ENGINES = ['onnxruntime', 'wasm'] as const;

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

async function main(): Promise<void> {
  await wasmCandidate.load();
  const facts = machineFacts();
  const ort = onnxRuntimeEngine();
  const rows: string[] = [];
  for (const id of MODELS) {
    const model = zooEntry(id).build({ inputShape: [32, 32, 3], numClasses: 10 });
    const graph = buildChannelGraph(model);
    const scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
    const deployedBase = await foldForInference(model);
    for (const engine of ENGINES) {
      const rule = defaultRounding(graph, LATENCY_PROFILES[engine].block).roundTo;
      for (const roundTo of ROUNDINGS) {
        const plan = planPruning(graph, scores, { metric: 'flops', reduction: CUT, roundTo });
        const pruned = await pruneModel(model, graph, plan.keep);
        const deployed = await foldForInference(pruned);
        const flopsCut = 1 - countFlops(pruned) / countFlops(model);
        const cells: string[] = [];
        for (const runs of BATCHES) {
          // A fresh chooser per pair: both models of the pair on ONNX Runtime (or both on tfjs).
          const forward = engine === 'onnxruntime' ? new ForwardChooser(ort, 0) : undefined;
          const s = await measureSpeedup(deployedBase, deployed, { ...runs, forward });
          const latencyCut = 1 - 1 / s.speedup.median;
          const speedup = `${s.speedup.median.toFixed(2)}x (${s.speedup.q1.toFixed(2)}-${s.speedup.q3.toFixed(2)})`;
          cells.push(`${speedup} | ${pct(latencyCut)} (${(latencyCut / flopsCut).toFixed(2)})`);
        }
        rows.push(`| ${id} | ${engine} | ${roundTo}${roundTo === rule ? ' (default)' : ''} | ${pct(flopsCut)} | ${cells.join(' | ')} |`);
        console.log(rows.at(-1));
        pruned.dispose();
        deployed.dispose();
      }
    }
    deployedBase.dispose();
    model.dispose();
  }
  const body = `## Default rounding: which multiple of kept channels pays (issue 21)

Last run: ${facts.date}, ${facts.cpu}, ${facts.cores} cores, load average ${facts.loadAverage.join(', ')} before the run
(\`npm run bench:rounding\`). ResNet-20 with 1x1 shortcuts (narrowest layers 16 channels) and VGG-16 (narrowest 64),
untrained, L1 scores, global ranking to ${pct(CUT)} fewer FLOPs, kept channels exact (1), in multiples of 8 and of 16.
Each pruned model and its baseline, as deployed (batch norms and ReLUs folded), timed in alternating pairs as a
session times them, on ONNX Runtime (onnxruntime-node, CPU, what a session in Node times on; its idle threads sleep, so
the two sessions of a pair do not spin against each other, and at batch 1 both run slower than one lone spinning session) and
on tfjs wasm.
Speed-up = baseline time / pruned time per pair: median (quartiles); latency cut (latency cut / FLOPs cut; the
issue's target is at least 0.7). "(default)" marks what a run without \`--round-to\` uses on that engine: the
engine's block (ONNX Runtime ${LATENCY_PROFILES.onnxruntime.block}, wasm ${LATENCY_PROFILES.wasm.block}; at least 8), halved until at most half the
narrowest layer.

| model | engine | round to | FLOPs cut | speed-up b1 | latency cut b1 | speed-up b64 | latency cut b64 |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  console.log(body);
  if (!process.argv.includes('--no-write')) writeReportSection('rounding', body, 'npm run bench:rounding');
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2))}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
