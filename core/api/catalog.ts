/**
 * What the UI offers to choose from, as plain data: the importance criteria and the built-in models, each
 * with a line of explanation. These lists are the one source: the engine's criterion registry and model zoo
 * take their members, order and labels from here (keyed by these ids, so the compiler finds one missing).
 */
import { DEFAULT_PRUNE_CONFIG } from './run-options.js';

export interface CriterionInfo {
  id: string;
  /** Short name for lists. */
  name: string;
  /** One line, in plain words: what it measures. */
  explanation: string;
  /** What it reads: weights (instant), activations (a few forward passes) or gradients (a few backward passes). */
  needs: 'weights' | 'activations' | 'gradients';
}

export const CRITERIA_INFO = [
  { id: 'l1', name: 'L1 norm', needs: 'weights', explanation: 'Removes the filters whose weights are smallest in sum. Fast, simple and hard to beat.' },
  { id: 'l2', name: 'L2 norm', needs: 'weights', explanation: 'Like L1, but squares the weights first, so a few large weights count for more.' },
  {
    id: 'group-l1',
    name: 'Group L1 norm',
    needs: 'weights',
    explanation: 'Like L1, but every layer tied to a channel votes: its filter, its batch norm and the next layers\u2019 weights that read it.',
  },
  {
    id: 'lamp',
    name: 'Layer-adaptive magnitude (LAMP)',
    needs: 'weights',
    explanation: 'Squared weights of the whole group, compared within each layer first, so layers that matter more keep more channels.',
  },
  {
    id: 'fpgm',
    name: 'Geometric median (FPGM)',
    needs: 'weights',
    explanation: 'Removes the filters most like the others in their layer: the ones the rest can stand in for.',
  },
  { id: 'bn-scale', name: 'Batch-norm scale', needs: 'weights', explanation: 'Removes the channels that their batch normalisation scales down the most.' },
  {
    id: 'activation-mean',
    name: 'Mean activation',
    needs: 'activations',
    explanation: 'Shows the model some training images and removes the channels that respond the least.',
  },
  { id: 'apoz', name: 'Non-zero activations (APoZ)', needs: 'activations', explanation: 'Removes the channels that are zero (after ReLU) for most images.' },
  {
    id: 'hrank',
    name: 'Feature-map rank (HRank)',
    needs: 'activations',
    explanation: 'Removes the channels whose feature maps carry the least information (lowest matrix rank).',
  },
  {
    id: 'taylor',
    name: 'First-order Taylor',
    needs: 'gradients',
    explanation: 'Estimates how much the loss would grow without each channel, from activations and gradients.',
  },
  {
    id: 'cip',
    name: 'Importance propagation (CIP)',
    needs: 'activations',
    explanation: 'Passes importance back from the classifier through the network, so each channel is judged by what later layers need.',
  },
  {
    id: 'nisp',
    name: 'Neuron importance propagation (NISP)',
    needs: 'weights',
    explanation: 'Passes importance back from the classifier through the absolute weights alone.',
  },
  { id: 'random', name: 'Random', needs: 'weights', explanation: 'Removes channels at random: a control to see what a criterion adds.' },
] as const satisfies readonly CriterionInfo[];

export type CriterionId = (typeof CRITERIA_INFO)[number]['id'];

/** A criterion as people read it ("L1 norm"), for tables and reports; an unknown id as it is. */
export function criterionName(id: string): string {
  return CRITERIA_INFO.find((c: CriterionInfo) => c.id === id)?.name ?? id;
}

/** The criterion a first-time user should pick, and why. */
export const RECOMMENDED_CRITERION = {
  id: 'group-l1',
  why:
    'Recommended for a first run: it needs no data, takes no time, and lost the least accuracy of every criterion measured ' +
    "on the pruning papers' protocol (ResNet-20, CIFAR-10, half the FLOPs removed).",
};

export interface ModelChoice {
  id: string;
  label: string;
}

export const MODEL_CHOICES = [
  { id: 'demo-cnn', label: 'Demo CNN (4 conv)' },
  { id: 'small-vgg', label: 'Small VGG-style CNN (5 conv)' },
  { id: 'resnet20', label: 'ResNet-20 (CIFAR)' },
  { id: 'resnet32', label: 'ResNet-32 (CIFAR)' },
  { id: 'resnet56', label: 'ResNet-56 (CIFAR)' },
  { id: 'resnet110', label: 'ResNet-110 (CIFAR)' },
  { id: 'vgg11', label: 'VGG-11 with BN (CIFAR)' },
  { id: 'vgg16', label: 'VGG-16 with BN (CIFAR)' },
  { id: 'vgg19', label: 'VGG-19 with BN (CIFAR)' },
  { id: 'mobilenetv2', label: 'MobileNetV2 (CIFAR, 32x32)' },
  { id: 'resnet20-b', label: 'ResNet-20, 1x1-conv shortcuts (CIFAR)' },
] as const satisfies readonly ModelChoice[];

export type ModelId = (typeof MODEL_CHOICES)[number]['id'];

/** Whether `model` names a built-in model (else it is a model file). */
export const isBuiltInModel = (model: string): model is ModelId => MODEL_CHOICES.some((m: ModelChoice) => m.id === model);

/**
 * Baseline training epochs a session defaults to: a built-in model starts untrained, so it is trained; a
 * model file is the trained model the user came to prune, so its baseline is measured, not retrained.
 */
export function defaultTrainEpochs(model: string): number {
  return isBuiltInModel(model) ? DEFAULT_PRUNE_CONFIG.trainEpochs : 0;
}

/** The bundled sample data set (a slice of Fashion-MNIST): `PruneConfig.data` and `inspectDataset` accept it. */
export const BUILTIN_DATA_ID = 'builtin:fashion-mnist';
