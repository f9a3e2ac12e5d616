import { CIP_SWITCH_DEFAULTS } from '../api/run-options.js';

/**
 * The knobs of CIP (CIP-SPEC sections 2, 3 and 7). Every published baseline the spec lists is a setting
 * of these, so ablations run the same code.
 */
export interface CipSettings {
  /** Slope of the sigmoid map phi = sigmoid(tau * z) (section 2). */
  tau: number;
  /** Weight of the kernel term (kappa / mean kappa)^beta in the local score (section 2). */
  beta: number;
  /** Blend of the propagated share r against the local score a: I = (1 - alpha) a + alpha r (section 3). */
  alpha: number;
  /** Guards the log, the standardisation and the row normalisation. */
  eps: number;
  /** Off: phi = mu, the statistic unmapped (section 7: alpha = beta = 0 without it is activation-mean). */
  sigmoid: boolean;
  /** Off: P = C, raw contributions instead of rows that sum to 1 (section 7: NISP). */
  rowNormalisation: boolean;
  /**
   * On: kappa is the L1 magnitude of the writer's whole coupled group (filters, batch-norm scales and consumers'
   * input weights: group-l1's score) instead of its own batch-norm fold or filter norm.
   */
  groupKernel: boolean;
  /**
   * On: a group with several writers (a residual stream) keeps their typical spread: the mean over writers, whose
   * spread shrinks as writers disagree, is stretched about its mean to their mean standard deviation.
   */
  writerSpread: boolean;
  /**
   * On: each group's scores take the values of its whole-group L1 (group-l1's scores) in CIP's order, so a global
   * threshold keeps as many channels per group as group-l1 would, and the ones CIP ranks highest.
   */
  kernelWidths: boolean;
  /** On: mu = 1 for every channel and no data pass (section 7: BN scale, NISP). */
  unitStatistic: boolean;
}

export const CIP_DEFAULTS: Readonly<CipSettings> = { ...CIP_SWITCH_DEFAULTS, eps: 1e-6 };

/** Section 7: NISP (Yu et al. 2018) is CIP with alpha = 1, mu = 1 and no row normalisation. */
export const NISP_SETTINGS: Readonly<Partial<CipSettings>> = { alpha: 1, unitStatistic: true, rowNormalisation: false };
