import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_PRUNE_CONFIG } from '../api/contract.js';
import type { FlowData, FlowRequest, FlowStep } from '../api/importance-flow.js';
import type { Batch } from '../data/batches.js';
import { buildChannelGraph, type ChannelGraph, maskedCost } from '../graph/channel-graph.js';
import { assertOneCallPerLayer } from '../importance/cip-topology.js';
import { createCip, type CipCriterion } from '../importance/cip.js';
import type { ImportanceCriterion } from '../importance/criterion.js';
import { aggregateFlow, round } from '../importance/flow/flow-bands.js';
import { byGroupMean, channelEdges, relativeScores, writerColumns } from '../importance/flow/flow-channels.js';
import { getCriterion } from '../importance/registry.js';
import { MODEL_ZOO } from '../models/zoo.js';
import { planPruning, planUniform } from '../prune/budget.js';
import { pruneModel } from '../prune/surgery.js';
import { calibrationBatches } from './prune-run.js';
import { loadModel } from './model-source.js';
import { loadRunInputs, type RunHost } from './run-inputs.js';
import { resolveRunInput } from './run-input.js';
import { cutReasons } from './flow-reasons.js';
import { UNTRAINED_WARNING } from './session-flow.js';

export class FlowRequestError extends Error {
  override name = 'FlowRequestError';
}

const MAX_STEPS = 20;

/**
 * The importance-flow diagram of a model: the criterion's scores on every writer's channels, CIP's propagated
 * importance between them, and the model after each of `steps` prune-and-re-score steps (no training between
 * them) that lead to the target. Without data, CIP runs on weights alone (mu = 1).
 */
export async function importanceFlow(request: FlowRequest, host: RunHost): Promise<FlowData> {
  const { steps = 3, target = { metric: 'flops', reduction: 0.5 } } = request;
  if (!(Number.isInteger(steps) && steps >= 1 && steps <= MAX_STEPS))
    throw new FlowRequestError(`steps must be a whole number from 1 to ${MAX_STEPS}, got ${steps}`);
  if (target.metric !== 'flops' && target.metric !== 'params')
    throw new FlowRequestError(`target.metric must be 'flops' or 'params', got '${String(target.metric)}'`);
  if (!(target.reduction > 0 && target.reduction < 1))
    throw new FlowRequestError(`target.reduction must lie between 0 and 1 (exclusive), got ${target.reduction}`);
  const warnings: string[] = [];
  let criterion = getCriterion(request.criterion ?? 'cip');
  const { model, calibration } = await modelAndCalibration(request, host);
  if (calibration.length === 0 && isCip(criterion) && criterion.needs === 'activations') {
    criterion = createCip({ ...criterion.settings, unitStatistic: true, id: criterion.id, label: `${criterion.label}, on weights alone` });
    warnings.push('No data was given: CIP used mu = 1 for every channel (weights and batch norm only).');
  }
  const links = isCip(criterion) ? criterion : createCip({ unitStatistic: calibration.length === 0 });
  try {
    const graph = buildChannelGraph(model);
    const context = { model, graph, calibration, seed: request.seed ?? 1, warn: (m: string) => warnings.includes(m) || warnings.push(m) };
    const analysis = await links.analyse(context);
    const scores = criterion === links ? analysis.scores : await criterion.scoreGroups(context);
    const flowSteps = await pruneSteps(model, graph, scores, { ...request, steps, target }, criterion, context);
    const columns = writerColumns(model, graph);
    const last = flowSteps[flowSteps.length - 1];
    const removed = new Map(last.groups.map(({ group, kept }) => [group, removedChannels(graph.groups[group].channels, kept)]));
    const aggregated = aggregateFlow({
      columns,
      edges: channelEdges(model, graph, columns, analysis, links.settings),
      scores: relativeScores(graph, columns, scores, analysis),
      removed,
      prunable: new Set(graph.groups.filter((g) => g.prunable).map((g) => g.id)),
    });
    const finalKept = new Map(last.groups.map((g) => [g.group, g.kept]));
    const reasons = cutReasons(graph, finalKept, scores, { ranking: request.ranking, protect: request.protect, schedule: 'iterative' }, steps);
    const modelLabel = MODEL_ZOO.find((e) => e.id === request.model)?.label ?? request.model.split(/[\\/]/).pop()!;
    // A built-in model is built here with its random initial weights: the flow says so.
    const untrained = MODEL_ZOO.some((e) => e.id === request.model);
    if (untrained) warnings.unshift(UNTRAINED_WARNING);
    return {
      model: request.model,
      modelLabel,
      criterion: criterion.id,
      criterionLabel: criterion.label,
      target,
      ...aggregated,
      groups: aggregated.groups.map((g) => ({ ...g, reason: reasons.get(g.id) })),
      steps: flowSteps,
      warnings: [...warnings, ...analysis.warnings.filter((w) => !warnings.includes(w))],
      ...(untrained && { untrained }),
    };
  } finally {
    model.dispose();
    tf.dispose(calibration.flatMap((b) => [b.x, b.y]));
  }
}

const isCip = (criterion: ImportanceCriterion): criterion is CipCriterion => 'analyse' in criterion && 'settings' in criterion;

/** The model (refused at once, before any data is read, where CIP's walk cannot follow it) and calibration batches. */
async function modelAndCalibration(request: FlowRequest, host: RunHost): Promise<{ model: tfl.LayersModel; calibration: Batch[] }> {
  const checked = (model: tfl.LayersModel) => {
    try {
      assertOneCallPerLayer(model);
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  };
  if (request.data === undefined) return { model: checked(await loadModel(request.model, host)), calibration: [] };
  const config = {
    ...DEFAULT_PRUNE_CONFIG,
    model: request.model,
    data: request.data,
    seed: request.seed ?? 1,
    calibrationBatches: request.calibrationBatches ?? 4,
  };
  const { data, model } = await loadRunInputs(config, host);
  checked(model);
  try {
    const { norm } = await resolveRunInput(config, data.train, model);
    return { model, calibration: await calibrationBatches(data.train, norm, config) };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Step 0 is the model as it is; step i cuts the model of step i - 1 so that R * i / k of the metric is gone
 * (as the iterative schedule does), then scores the smaller model again. Channel indices are followed
 * back to the original model through every cut.
 */
async function pruneSteps(
  model: tfl.LayersModel,
  graph: ChannelGraph,
  scores: Map<number, Float32Array>,
  request: Required<Pick<FlowRequest, 'steps' | 'target'>> & FlowRequest,
  criterion: ImportanceCriterion,
  context: { calibration: Batch[]; seed: number; warn: (m: string) => void },
): Promise<FlowStep[]> {
  const { metric, reduction } = request.target;
  const baseline = maskedCost(graph, new Map());
  const keyOf = (g: ChannelGraph, id: number) => g.groups[id].producers.join(',') || `#${id}`;
  const prunable = graph.groups.filter((g) => g.prunable);
  // Original channel index of each current channel, by group key.
  const original = new Map(prunable.map((g) => [keyOf(graph, g.id), Int32Array.from({ length: g.channels }, (_, c) => c)]));
  const snapshot = (step: number, current: ChannelGraph, currentScores: Map<number, Float32Array>): FlowStep => {
    const groups = prunable.map((g) => {
      const id = current.groups.findIndex((_, i) => keyOf(current, i) === keyOf(graph, g.id));
      const kept = original.get(keyOf(graph, g.id))!;
      const relative = byGroupMean(currentScores.get(id) ?? new Float32Array(kept.length).fill(1));
      const order = Array.from(kept.keys()).sort((a, b) => kept[a] - kept[b]);
      return { group: g.id, kept: order.map((i) => kept[i]), scores: order.map((i) => round(relative[i])) };
    });
    const cost = maskedCost(graph, new Map(groups.map((g) => [g.group, g.kept.length])));
    return { step, label: step === 0 ? 'unpruned' : `step ${step} of ${request.steps}`, reduction: 1 - cost[metric] / baseline[metric], ...cost, groups };
  };
  const plan = request.ranking === 'uniform' ? planUniform : planPruning;
  const result = [snapshot(0, graph, scores)];
  let current = model;
  let currentGraph = graph;
  let currentScores = scores;
  try {
    for (let step = 1; step <= request.steps; step++) {
      const cut = 1 - ((1 - (reduction * step) / request.steps) * baseline[metric]) / maskedCost(currentGraph, new Map())[metric];
      if (cut > 0) {
        const { keep } = plan(currentGraph, currentScores, { metric, reduction: cut, protect: request.protect ?? DEFAULT_PRUNE_CONFIG.protect });
        const next = await pruneModel(current, currentGraph, keep);
        for (const [id, kept] of keep) {
          const key = keyOf(currentGraph, id);
          const before = original.get(key)!;
          original.set(
            key,
            kept.map((c) => before[c]),
          );
        }
        if (current !== model) current.dispose();
        current = next;
        currentGraph = buildChannelGraph(current);
        currentScores = await criterion.scoreGroups({ ...context, model: current, graph: currentGraph });
      }
      result.push(snapshot(step, currentGraph, currentScores));
    }
    return result;
  } finally {
    if (current !== model) current.dispose();
  }
}

function removedChannels(channels: number, kept: number[]): Set<number> {
  const keep = new Set(kept);
  return new Set(Array.from({ length: channels }, (_, c) => c).filter((c) => !keep.has(c)));
}
