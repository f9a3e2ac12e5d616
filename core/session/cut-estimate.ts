import type { CutEstimate, CutRequest } from '../api/contract.js';
import { buildChannelGraph } from '../graph/channel-graph.js';
import { BudgetError, planUniform } from '../prune/budget.js';
import { loadModel } from './model-source.js';
import type { RunHost } from './run-inputs.js';

const STEPS = 19;

/**
 * What each cut of `metric` leaves of the model, counted exactly on its channel graph with the same share
 * taken from every prunable group (scores are not needed for the counts). A global ranking spreads the cut
 * by importance instead, so its other measure lands near, not on, these numbers.
 */
export async function estimateCut(request: CutRequest, host: Pick<RunHost, 'openModelSource'>): Promise<CutEstimate> {
  const input = request.input && {
    inputShape: [request.input.height, request.input.width, request.input.channels] as [number, number, number],
    numClasses: request.input.classes,
  };
  const model = await loadModel(request.model, host, input);
  try {
    const graph = buildChannelGraph(model);
    const flat = new Map(graph.groups.filter((g) => g.prunable).map((g) => [g.id, new Float32Array(g.channels).fill(1)]));
    const points: CutEstimate['points'] = [];
    let baseline = { flops: 0, params: 0 };
    for (let i = 1; i <= STEPS; i++) {
      const reduction = i / (STEPS + 1);
      try {
        const plan = planUniform(graph, flat, { metric: request.metric, reduction });
        baseline = plan.baseline;
        points.push({ reduction, ...plan.achieved });
      } catch (error) {
        if (!(error instanceof BudgetError)) throw error;
        break; // deeper cuts are out of reach too
      }
    }
    if (points.length === 0) baseline = planUniform(graph, flat, { metric: request.metric, reduction: 0 }).baseline;
    return { baseline, points };
  } finally {
    model.dispose();
  }
}
