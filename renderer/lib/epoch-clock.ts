import type { TaskProgress } from '../../core/api/contract.js';

/**
 * Where a run is, in epochs over all its training stages, for the Run screen's x axes: each training stage's
 * epochs follow the ones before (baseline training 0-4, fine-tuning 4-6). Within a stage the position is
 * its share of steps done times its epochs ("epoch 2/4" at step 150 of 400 is 1.5); a held-out check at the
 * end of epoch e sits at e. A stage that stops early (early stopping) hands on where it stopped.
 */
export class EpochClock {
  #stage: string | undefined;
  /** Epochs of the stages finished before the current one. */
  #base = 0;
  /** Position reached in the current stage. */
  #within = 0;

  /** The run's epoch position at this progress report, or undefined for reports outside training (scoring, evaluating). */
  at(progress: TaskProgress): number | undefined {
    const m = progress.metrics;
    if (m?.epoch === undefined) return undefined;
    const epochs = Number(/epoch \d+\/(\d+)/.exec(progress.message)?.[1]);
    let within: number;
    if (m.validationAccuracy !== undefined) within = m.epoch;
    else if (epochs > 0 && progress.total > 0) within = (progress.step / progress.total) * epochs;
    else return undefined;
    if (progress.stage !== this.#stage) {
      if (this.#stage !== undefined) this.#base += this.#within;
      this.#stage = progress.stage;
      this.#within = 0;
    }
    this.#within = Math.max(this.#within, within);
    return this.#base + within;
  }
}
