import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/image-dataset.js';
import type { ForwardChooser } from '../backend/forward-runner.js';

export interface EarlyStopping {
  /** Held-out images the model never trains on (core/data/splits.ts `splitValidation`). */
  validation: ImageDataset;
  /** Epochs without a better validation accuracy before training stops. */
  patience: number;
  /** Picks the engine for each epoch's validation pass (the weights changed, so it converts anew); tfjs without. */
  forward?: ForwardChooser;
}

/**
 * Keeps a copy of every weight (batch-norm statistics included) of the best epoch so far, by validation
 * top-1 accuracy; only a strictly better epoch replaces it, so a plateau keeps the earliest.
 */
export class BestWeights {
  #copy: tf.Tensor[] | undefined;
  accuracy = Number.NEGATIVE_INFINITY;
  /** 0: the weights training started from; k: after epoch k. */
  epoch = -1;
  /** Epochs since the best one. */
  since = 0;

  /** Records `accuracy` after `epoch`; copies the weights if it is the best so far. Returns whether it was. */
  offer(model: tfl.LayersModel, accuracy: number, epoch: number): boolean {
    if (!(accuracy > this.accuracy)) {
      this.since++;
      return false;
    }
    tf.dispose(this.#copy);
    this.#copy = model.weights.map((w) => tf.clone(w.read()));
    [this.accuracy, this.epoch, this.since] = [accuracy, epoch, 0];
    return true;
  }

  /** Writes the best weights back into the model and drops the copy. */
  restore(model: tfl.LayersModel): void {
    if (!this.#copy) return;
    model.weights.forEach((w, i) => w.write(this.#copy![i]));
    this.dispose();
  }

  dispose(): void {
    tf.dispose(this.#copy);
    this.#copy = undefined;
  }
}
