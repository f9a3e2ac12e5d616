import { buildChannelGraph } from '../../graph/channel-graph.js';
import { applyChannelMask } from '../channel-mask.js';
import { SoftGates } from '../soft-gates.js';
import { metricWord, type PruningPlan } from '../budget.js';
import { pruneModel } from '../surgery.js';
import { gateValues, normalisedScores, planGates, rampShare, smoothScores, temperature } from './ramp.js';
import { planCut, type PruningSchedule, ScheduleError, scoreModel } from './schedule.js';

export interface ContinuousOptions {
  /** T_p: soft-pruning epochs; the gates move after each. */
  epochs: number;
  /** Sigmoid gates (CIP), or 0/1 masks (the SFP and ASFP ablations of section 7). */
  mask?: 'soft' | 'hard';
  /** The cubic s_t, or s_t = s_f from the start (SFP). */
  ramp?: 'cubic' | 'constant';
  /** After every gate update, t = 0..T_p (logs, tests). */
  onUpdate?: (update: GateUpdate) => void;
}

export interface GateUpdate {
  t: number;
  /** s_t: the cut the gates aim at. */
  share: number;
  theta: number;
  temperature: number;
  /** sigmoid((Ibar - theta) / T) per group. */
  sigmoid: Map<number, Float32Array>;
  /** The gates written into the model: binary at t = T_p. */
  gates: Map<number, Float32Array>;
}

/** Gated-down channels stay this far above 0 while training, so the ReLU passes their gradient. */
const GATE_FLOOR = 1e-6;

/**
 * CIP-SPEC section 5. Every epoch t = 0..T_p: score the ungated network (one calibration pass), smooth,
 * find theta_t for s_t with the session's budget search, set m = sigmoid((Ibar - theta) / T(t)) and
 * train the next epoch under the gates. At t = T_p binarise at theta_final, then remove the channels.
 */
export function createContinuous({ epochs, mask = 'soft', ramp = 'cubic', onUpdate }: ContinuousOptions): PruningSchedule {
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new ScheduleError(`A continuous schedule needs 1 or more soft-pruning epochs, got ${epochs}`);
  return {
    id: 'continuous',
    label: `continuous (${mask} mask, ${ramp} ramp, ${epochs} epochs)`,
    async run(model, context) {
      const graph = buildChannelGraph(model);
      const gates = new SoftGates(
        model,
        graph,
        graph.groups.filter((g) => g.prunable).map((g) => g.id),
      );
      let smoothed: Map<number, Float32Array> | undefined;
      let keep = new Map<number, Int32Array>();
      let finalPlan: PruningPlan | undefined;
      const update = async (t: number) => {
        // Importance of the free weights: a gated-down channel that learns something useful can come back.
        smoothed = smoothScores(smoothed, await gates.withoutGates(() => scoreModel(model, graph, context)));
        const normalised = normalisedScores(smoothed, context.target.normalisation);
        const share = rampShare(context.target.reduction, t, epochs, ramp);
        const temp = temperature(t, epochs);
        const plan = share > 0 ? planCut(context, graph, smoothed, share) : undefined;
        keep = plan?.keep ?? new Map();
        if (t === epochs) finalPlan = plan;
        const { theta, gates: sigmoid } = gateValues(normalised, keep, temp);
        const written = t === epochs ? planGates(normalised, keep) : mask === 'hard' ? planGates(normalised, keep, GATE_FLOOR) : floored(sigmoid);
        gates.set(written);
        onUpdate?.({ t, share, theta, temperature: temp, sigmoid, gates: written });
        context.onKept?.(t, epochs, graph, keep);
        context.note?.(
          `soft pruning ${t}/${epochs}: gates aim at ${(share * 100).toFixed(1)}% of the ${metricWord(context.target.metric)}, T = ${temp.toFixed(3)}`,
        );
      };
      try {
        await update(0);
        await context.train(model, { epochs, stage: 'soft pruning', gates, onEpochEnd: (epoch) => update(epoch + 1) });
      } finally {
        gates.dispose();
      }
      // The model is now the masked network; mask mode also stops option-A shortcuts copying into removed channels.
      // One structural step: the channels go at the end, chosen on the smoothed scores.
      if (finalPlan && smoothed) context.onPlan?.(1, graph, finalPlan, smoothed);
      applyChannelMask(model, graph, keep);
      return pruneModel(model, graph, keep);
    },
  };
}

function floored(gates: Map<number, Float32Array>): Map<number, Float32Array> {
  return new Map([...gates].map(([group, m]) => [group, m.map((v) => Math.max(v, GATE_FLOOR))]));
}
