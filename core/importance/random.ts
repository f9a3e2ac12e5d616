import { seededRandom } from '../data/random.js';
import { weightCriterion } from './criterion.js';

/**
 * Uniform random scores: the control every criterion should beat, and a strong one (Mittal et al.
 * 2019, "Studying the plasticity in deep CNNs using random pruning"). Each group draws from its own
 * generator, seeded by the context's seed and the group id, so one group's scores never depend on others.
 */
export const randomScores = weightCriterion('random', 'Random (control)', (group, { seed }) => {
  const random = seededRandom((seed ^ Math.imul(group.id + 1, 0x9e3779b1)) >>> 0);
  return Float32Array.from({ length: group.channels }, random);
});
