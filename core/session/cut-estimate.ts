import type { CutEstimate, CutRequest } from '../api/contract.js';
import { buildChannelGraph, type ChannelGraph } from '../graph/channel-graph.js';
import { type LatencyProfile, predictedTimeShare } from '../metrics/latency-model.js';
import { BudgetError, planUniform } from '../prune/budget.js';
import { defaultRounding } from '../prune/default-rounding.js';
import { loadModel } from './model-source.js';
import type { RunHost } from './run-inputs.js';
import { latencyModelInfo, latencyProfile, timingEngine } from './timing-engine.js';

const STEPS = 19;

/**
 * What each cut of `metric` leaves of the model, counted exactly on its channel graph with the same share
 * taken from every prunable group (scores are not needed for the counts), with kept channels rounded as asked.
 * A global ranking spreads the cut by importance instead, so its other measure lands near, not on, these
 * numbers. Each point's time share comes from the cost model of the engine that will time the run (a quick
 * trial's may differ from a full run's). Without a rounding asked for, kept channels round as a run would round
 * them (defaultRounding: that engine's block, fitted to the model's narrowest group).
 */
export async function estimateCut(request: CutRequest, host: Pick<RunHost, 'openModelSource' | 'forwardEngine'>): Promise<CutEstimate> {
  const input = request.input && {
    inputShape: [request.input.height, request.input.width, request.input.channels] as [number, number, number],
    numClasses: request.input.classes,
  };
  const profile = latencyProfile(await timingEngine(host, request.quickTrial === true));
  const fullRun = request.quickTrial ? latencyProfile(await timingEngine(host)) : profile;
  const model = await loadModel(request.model, host, input);
  try {
    const graph = buildChannelGraph(model);
    const rounding = request.roundTo === undefined ? defaultRounding(graph, profile?.block) : undefined;
    const roundTo = request.roundTo ?? rounding!.roundTo;
    return { ...countCuts(graph, request.metric, roundTo, profile), latency: latencyModelInfo(profile, fullRun), roundTo, roundingWhy: rounding?.why };
  } finally {
    model.dispose();
  }
}

function countCuts(
  graph: ChannelGraph,
  metric: CutRequest['metric'],
  roundTo: number,
  profile: LatencyProfile | undefined,
): Pick<CutEstimate, 'baseline' | 'points'> {
  const flat = new Map(graph.groups.filter((g) => g.prunable).map((g) => [g.id, new Float32Array(g.channels).fill(1)]));
  const points: CutEstimate['points'] = [];
  let baseline = { flops: 0, params: 0 };
  for (let i = 1; i <= STEPS; i++) {
    const reduction = i / (STEPS + 1);
    try {
      const plan = planUniform(graph, flat, { metric, reduction, roundTo });
      baseline = plan.baseline;
      const kept = new Map([...plan.keep].map(([g, k]) => [g, k.length]));
      const time = profile ? predictedTimeShare(graph, { graph, kept }, profile) : plan.achieved.flops / Math.max(1, plan.baseline.flops);
      points.push({ reduction, ...plan.achieved, time });
    } catch (error) {
      if (!(error instanceof BudgetError)) throw error;
      break; // deeper cuts are out of reach too
    }
  }
  if (points.length === 0) baseline = planUniform(graph, flat, { metric, reduction: 0 }).baseline;
  return { baseline, points };
}
