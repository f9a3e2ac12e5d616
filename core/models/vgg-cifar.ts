import * as tfl from '@tensorflow/tfjs-layers';
import { BN_MOMENTUM, type ModelInput } from './demo-cnn.js';

/** Conv widths per VGG depth, 'M' for a 2x2 max pooling (Simonyan & Zisserman, configurations A, D, E). */
const CONFIGS: Record<11 | 16 | 19, (number | 'M')[]> = {
  11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/**
 * VGG with batch norm for 32x32 inputs, as the CIFAR pruning papers use it (HRank's vgg16_bn): 3x3 convs
 * with bias, BN and ReLU, five poolings to 1x1, then dense 512, BN, ReLU and the classifier.
 */
export function buildCifarVgg(depth: 11 | 16 | 19, { inputShape, numClasses, seed = 1 }: ModelInput): tfl.LayersModel {
  const input = tfl.input({ shape: inputShape, name: 'image' });
  let x: tfl.SymbolicTensor = input;
  let conv = 0;
  let pool = 0;
  for (const item of CONFIGS[depth]) {
    if (item === 'M') {
      x = tfl.layers.maxPooling2d({ poolSize: 2, name: `pool${++pool}` }).apply(x) as tfl.SymbolicTensor;
      continue;
    }
    const name = `conv${++conv}`;
    x = tfl.layers
      .conv2d({ filters: item, kernelSize: 3, padding: 'same', name, kernelInitializer: tfl.initializers.heNormal({ seed: seed + conv }) })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ name: `${name}_bn`, momentum: BN_MOMENTUM }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: `${name}_relu` }).apply(x) as tfl.SymbolicTensor;
  }
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 512, name: 'fc1', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 100 }) }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'fc1_bn', momentum: BN_MOMENTUM }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ name: 'fc1_relu' }).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers
    .dense({ units: numClasses, name: 'fc', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 101 }) })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: `vgg${depth}` });
}
