import type * as tfl from '@tensorflow/tfjs-layers';
import { MODEL_CHOICES, type ModelId } from '../api/catalog.js';
import { buildDemoCnn, type ModelInput } from './demo-cnn.js';
import { buildCifarMobileNetV2 } from './mobilenet-v2-cifar.js';
import { buildCifarResNet } from './resnet-cifar.js';
import { buildSmallVgg } from './small-vgg.js';
import { buildCifarVgg } from './vgg-cifar.js';

export interface ZooEntry {
  id: string;
  label: string;
  build(input: ModelInput): tfl.LayersModel;
  /** Published trainable parameters and FLOPs (MACs) at 32x32x3, 10 classes, where the literature gives them. */
  published?: { parameters: number; flops: number; source: string };
}

const HRANK = 'HRank / HRankPlus (Lin et al.), CIFAR-10';

/** How each built-in model is built; the list, its order and the labels are the catalog's (core/api/catalog.ts). */
const BUILDERS: Record<ModelId, Omit<ZooEntry, 'id' | 'label'>> = {
  'demo-cnn': { build: buildDemoCnn },
  'small-vgg': { build: buildSmallVgg },
  resnet20: { build: (i) => buildCifarResNet(20, i), published: { parameters: 0.27e6, flops: 40.8e6, source: 'He et al. 2016' } },
  resnet32: { build: (i) => buildCifarResNet(32, i), published: { parameters: 0.46e6, flops: 69.1e6, source: 'He et al. 2016; thop' } },
  resnet56: { build: (i) => buildCifarResNet(56, i), published: { parameters: 0.85e6, flops: 125.49e6, source: HRANK } },
  resnet110: { build: (i) => buildCifarResNet(110, i), published: { parameters: 1.72e6, flops: 252.89e6, source: HRANK } },
  vgg11: { build: (i) => buildCifarVgg(11, i) },
  vgg16: { build: (i) => buildCifarVgg(16, i), published: { parameters: 14.98e6, flops: 313.73e6, source: HRANK } },
  vgg19: { build: (i) => buildCifarVgg(19, i) },
  mobilenetv2: { build: buildCifarMobileNetV2 },
  'resnet20-b': { build: (i) => buildCifarResNet(20, i, 'conv') },
};

/** The built-in models: the networks the pruning literature compares on, at their published shapes. */
export const MODEL_ZOO: ZooEntry[] = MODEL_CHOICES.map((choice) => ({ ...choice, ...BUILDERS[choice.id] }));

export class UnknownModelError extends Error {
  override name = 'UnknownModelError';
}

export function zooEntry(id: string): ZooEntry {
  const entry = MODEL_ZOO.find((e) => e.id === id);
  if (!entry) throw new UnknownModelError(`No built-in model '${id}'. Built-in models: ${MODEL_ZOO.map((e) => e.id).join(', ')}.`);
  return entry;
}
