// Calibrates the latency cost model (npm run bench:latency-model): ResNet-20 (CIFAR, 32x32x3) pruned uniformly to
// 30% and 50% fewer FLOPs with kept channels rounded to 1, 4, 8 and 16, each timed against the unpruned model as the
// engine does after a run (folded, paired runs, median speed-up) on ONNX Runtime and on tfjs's wasm backend.
// Per engine, the block, the unaligned factor and the fixed share of core/metrics/latency-model.ts are fitted to
// these timings (least squares on log time shares, grid search) and written to core/metrics/latency-profiles.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { ForwardChooser } from '../../core/backend/forward-runner.js';
import { buildChannelGraph } from '../../core/graph/channel-graph.js';
import { l1Norm } from '../../core/importance/l1-norm.js';
import { type LatencyProfile, predictedTimeShare, type TimingEngine } from '../../core/metrics/latency-model.js';
import { measureSpeedup } from '../../core/metrics/latency.js';
import { foldForInference } from '../../core/models/fold-for-inference.js';
import { zooEntry } from '../../core/models/zoo.js';
import { onnxRuntimeEngine } from '../../core/node/ort-runner.js';
import { planUniform } from '../../core/prune/budget.js';
import { pruneModel } from '../../core/prune/surgery.js';
import { ROOT } from '../build/run.js';
import { machineFacts } from './machine.js';
import { writeReportSection } from './report-file.js';

const CUTS = [0.3, 0.5];
const ROUNDINGS = [1, 4, 8, 16];
const BATCH = 32;
const RUNS = { runs: 15, warmup: 2 };
const ENGINES: TimingEngine[] = ['onnxruntime', 'wasm'];

interface Timing {
  engine: TimingEngine;
  cut: number;
  roundTo: number;
  /** Median of the pruned model's time over the baseline's, paired runs. */
  share: number;
  flops: number;
  spread: [number, number];
  kept: Map<number, number>;
}

function fit(engine: TimingEngine, timings: Timing[], graph: ReturnType<typeof buildChannelGraph>, measured: string): LatencyProfile & { error: number } {
  let best: (LatencyProfile & { error: number }) | undefined;
  for (const block of [4, 8, 16, 32])
    for (let unaligned = 1; unaligned <= 6.001; unaligned += 0.05)
      for (let fixed = 0; fixed <= 0.8001; fixed += 0.01) {
        const profile = { engine, block, unaligned, fixed, measured };
        const error = timings.reduce((sum, t) => sum + Math.log(predictedTimeShare(graph, { graph, kept: t.kept }, profile) / t.share) ** 2, 0);
        if (!best || error < best.error) best = { ...profile, error };
      }
  return best!;
}

async function main(): Promise<void> {
  await wasmCandidate.load();
  const facts = machineFacts();
  const model = zooEntry('resnet20').build({ inputShape: [32, 32, 3], numClasses: 10 });
  const graph = buildChannelGraph(model);
  const scores = await l1Norm.scoreGroups({ model, graph, seed: 1 });
  const deployedBaseline = await foldForInference(model);
  const timings: Timing[] = [];
  for (const cut of CUTS)
    for (const roundTo of ROUNDINGS) {
      const plan = planUniform(graph, scores, { metric: 'flops', reduction: cut, roundTo });
      const pruned = await pruneModel(model, graph, plan.keep);
      const deployed = await foldForInference(pruned);
      for (const engine of ENGINES) {
        const forward = engine === 'onnxruntime' ? new ForwardChooser(onnxRuntimeEngine(), 0) : undefined;
        const speed = await measureSpeedup(deployedBaseline, deployed, { batch: BATCH, ...RUNS, forward });
        if (forward && !forward.uses.every((u) => u.engine === 'onnxruntime'))
          throw new Error(`ONNX Runtime did not time the models: ${forward.summary().join('; ')}`);
        const kept = new Map([...plan.keep].map(([g, k]) => [g, k.length]));
        timings.push({
          engine,
          cut,
          roundTo,
          share: 1 / speed.speedup.median,
          flops: plan.achieved.flops / plan.baseline.flops,
          spread: [1 / speed.speedup.q3, 1 / speed.speedup.q1],
          kept,
        });
        console.log(engine, cut, roundTo, (1 / speed.speedup.median).toFixed(3), `flops share ${(plan.achieved.flops / plan.baseline.flops).toFixed(3)}`);
      }
      pruned.dispose();
      deployed.dispose();
    }
  const measured =
    `ResNet-20 (CIFAR) at 30/50% uniform FLOPs cuts, rounded to ${ROUNDINGS.join('/')}, batch ${BATCH}, ${RUNS.runs} paired runs; ` +
    `${facts.cpu}, ${facts.cores} cores, ${facts.date.slice(0, 10)}, load ${facts.loadAverage[0].toFixed(1)}`;
  const profiles = ENGINES.map((engine) =>
    fit(
      engine,
      timings.filter((t) => t.engine === engine),
      graph,
      measured,
    ),
  );
  const lines = profiles.map(
    (p) =>
      `  ${p.engine}: {\n    engine: '${p.engine}',\n    block: ${p.block},\n    unaligned: ${+p.unaligned.toFixed(2)},\n    fixed: ` +
      `${+p.fixed.toFixed(2)},\n    measured: '${p.measured}',\n  },`,
  );
  writeFileSync(
    join(ROOT, 'core/metrics/latency-profiles.ts'),
    `// Generated by \`npm run bench:latency-model\` (test/bench/latency-model.ts) from paired timings on this machine: do not edit.
import type { LatencyProfile, TimingEngine } from './latency-model.js';

export const LATENCY_PROFILES: Record<TimingEngine, LatencyProfile> = {
${lines.join('\n')}
};
`,
  );
  const rows = timings.map((t) => {
    const profile = profiles.find((p) => p.engine === t.engine)!;
    const predicted = predictedTimeShare(graph, { graph, kept: t.kept }, profile);
    return (
      `| ${t.engine} | ${(t.cut * 100).toFixed(0)}% | ${t.roundTo} | ${t.share.toFixed(2)} (${t.spread.map((s) => s.toFixed(2)).join('-')}) | ` +
      `${predicted.toFixed(2)} | ${t.flops.toFixed(2)} |`
    );
  });
  const body = `## Latency cost model: measured against predicted

Last run: ${facts.date}, ${facts.cpu}, ${facts.cores} cores, load ${facts.loadAverage.map((l) => l.toFixed(1)).join(', ')}. ResNet-20 (CIFAR) pruned
uniformly (L1) to 30% and 50% fewer FLOPs, kept channels rounded to ${ROUNDINGS.join(', ')}; each pruned model timed against the unpruned
one as deployed (folded), ${RUNS.runs} paired runs at batch ${BATCH}. Time share = pruned time / baseline time (median, middle half
in brackets); "predicted" is the fitted cost model (core/metrics/latency-model.ts), "FLOPs" what time would be if it followed FLOPs.
Fitted: ${profiles.map((p) => `${p.engine}: block ${p.block}, off-block layers ${p.unaligned.toFixed(2)}x, fixed share ${p.fixed.toFixed(2)}`).join('; ')}.

| engine | FLOPs cut | rounded to | time share measured | predicted | FLOPs |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  console.log(body);
  writeReportSection('latency-model', body, 'npm run bench:latency-model');
  model.dispose();
  deployedBaseline.dispose();
  tf.disposeVariables();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
