/**
 * The one definition of an optimizer step, shared by single-engine training (fit.ts) and every data-parallel
 * replica: which optimizer, which weights weight decay pulls toward zero, how the decay enters the gradient,
 * and the order the variables are handed to the optimizer. Its settings are plain data, so they travel to
 * replicas by postMessage.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface OptimizerSettings {
  /** Adam, or SGD with momentum 0.9 (PyTorch's `SGD(momentum=0.9)`). */
  optimizer: 'adam' | 'sgd';
  /** The starting learning rate (schedules set each step's with `setLearningRate`). */
  learningRate: number;
  /** SGD only: Nesterov's momentum. */
  nesterov: boolean;
  /** `weightDecay * w` added to the gradient before the step (PyTorch's `weight_decay`, L2 for Adam too). */
  weightDecay: number;
  /** Every trainable weight (PyTorch's `model.parameters()`), or conv and dense kernels only. */
  weightDecayOn: 'all' | 'kernels';
}

export function createOptimizer(settings: OptimizerSettings): tf.Optimizer {
  return settings.optimizer === 'sgd' ? tf.train.momentum(settings.learningRate, 0.9, settings.nesterov) : tf.train.adam(settings.learningRate);
}

/** Frees the optimizer, including what tfjs's momentum optimizer keeps past dispose() (its -learningRate scalar). */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
}

/** SGD keeps -learningRate as a tensor (setLearningRate renews it); Adam reads a plain field. */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const sgd = optimizer as unknown as { setLearningRate?: (rate: number) => void; learningRate: number };
  if (typeof sgd.setLearningRate === 'function') sgd.setLearningRate(rate);
  else sgd.learningRate = rate;
}

/**
 * A model's optimizer step: its trainable variables in the model's order (the order the optimizer's slots and
 * saved state follow), and the ones weight decay applies to.
 */
export class OptimizerUpdate {
  readonly variables: tf.Variable[];
  private readonly decayed: Set<string>;

  constructor(
    model: tfl.LayersModel,
    readonly settings: OptimizerSettings,
    readonly optimizer: tf.Optimizer = createOptimizer(settings),
  ) {
    this.variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const decayed = settings.weightDecayOn === 'kernels' ? model.trainableWeights.filter((w) => /kernel$/.test(w.originalName)) : model.trainableWeights;
    this.decayed = new Set(decayed.map((w) => (w.read() as tf.Variable).name));
  }

  /**
   * g += weightDecay * w for the decayed variables, then one optimizer step on the variables that have a
   * gradient (a weight the loss does not reach gets none, and no step, as PyTorch leaves `grad=None`).
   * Takes the gradients by variable name; disposes nothing of the caller's.
   */
  apply(grads: tf.NamedTensorMap, learningRate: number): void {
    setLearningRate(this.optimizer, learningRate);
    const decay = this.settings.weightDecay;
    const made: tf.Tensor[] = [];
    const list = this.variables.flatMap((variable) => {
      const gradient = grads[variable.name];
      if (!gradient) return [];
      if (decay > 0 && this.decayed.has(variable.name)) {
        const decayed = tf.tidy(() => tf.add(gradient, tf.mul(variable, decay)));
        made.push(decayed);
        return [{ name: variable.name, tensor: decayed }];
      }
      return [{ name: variable.name, tensor: gradient }];
    });
    try {
      this.optimizer.applyGradients(list);
    } finally {
      tf.dispose(made);
    }
  }

  dispose(): void {
    disposeOptimizer(this.optimizer);
  }
}

/** Sets every batch norm's momentum; `restore` puts each layer's own back. */
export function setBatchNormMomentum(model: tfl.LayersModel, momentum: number): { restore: () => void } {
  const layers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as unknown as { momentum: number }[];
  const saved = layers.map((l) => l.momentum);
  for (const layer of layers) layer.momentum = momentum;
  return { restore: () => layers.forEach((l, i) => (l.momentum = saved[i])) };
}
