import { buildChannelGraph } from '../../graph/channel-graph.js';
import { pruneModel } from '../surgery.js';
import { planCut, type PruningSchedule, scoreModel } from './schedule.js';

/** Score once, remove every channel below the budget's threshold at once (fine-tuning follows in the session). */
export const oneShot: PruningSchedule = {
  id: 'one-shot',
  label: 'one-shot',
  async run(model, context) {
    const graph = buildChannelGraph(model);
    const scores = await scoreModel(model, graph, context);
    const plan = planCut(context, graph, scores, context.target.reduction);
    context.onPlan?.(1, graph, plan, scores);
    context.onKept?.(1, 1, graph, plan.keep);
    return pruneModel(model, graph, plan.keep);
  },
};
