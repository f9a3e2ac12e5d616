import type * as tfl from '@tensorflow/tfjs-layers';
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

/** The built-in models: the networks the pruning literature compares on, at their published shapes. */
export const MODEL_ZOO: ZooEntry[] = [
  { id: 'demo-cnn', label: 'Demo CNN (4 conv)', build: buildDemoCnn },
  { id: 'small-vgg', label: 'Small VGG-style CNN (5 conv)', build: buildSmallVgg },
  { id: 'resnet20', label: 'ResNet-20 (CIFAR)', build: (i) => buildCifarResNet(20, i), published: { parameters: 0.27e6, flops: 40.8e6, source: 'He et al. 2016' } },
  { id: 'resnet32', label: 'ResNet-32 (CIFAR)', build: (i) => buildCifarResNet(32, i), published: { parameters: 0.46e6, flops: 69.1e6, source: 'He et al. 2016; thop' } },
  { id: 'resnet56', label: 'ResNet-56 (CIFAR)', build: (i) => buildCifarResNet(56, i), published: { parameters: 0.85e6, flops: 125.49e6, source: HRANK } },
  { id: 'resnet110', label: 'ResNet-110 (CIFAR)', build: (i) => buildCifarResNet(110, i), published: { parameters: 1.72e6, flops: 252.89e6, source: HRANK } },
  { id: 'vgg11', label: 'VGG-11 with BN (CIFAR)', build: (i) => buildCifarVgg(11, i) },
  { id: 'vgg16', label: 'VGG-16 with BN (CIFAR)', build: (i) => buildCifarVgg(16, i), published: { parameters: 14.98e6, flops: 313.73e6, source: HRANK } },
  { id: 'vgg19', label: 'VGG-19 with BN (CIFAR)', build: (i) => buildCifarVgg(19, i) },
  { id: 'mobilenetv2', label: 'MobileNetV2 (CIFAR, 32x32)', build: buildCifarMobileNetV2 },
  { id: 'resnet20-b', label: 'ResNet-20, 1x1-conv shortcuts (CIFAR)', build: (i) => buildCifarResNet(20, i, 'conv') },
];

export class UnknownModelError extends Error {
  override name = 'UnknownModelError';
}

export function zooEntry(id: string): ZooEntry {
  const entry = MODEL_ZOO.find((e) => e.id === id);
  if (!entry) throw new UnknownModelError(`No built-in model '${id}'. Built-in models: ${MODEL_ZOO.map((e) => e.id).join(', ')}.`);
  return entry;
}
