import * as tfl from '@tensorflow/tfjs-layers';
import { classifierHead, convBnRelu, type ModelInput } from './demo-cnn.js';

/** conv32-conv32-pool-conv64-conv64-pool-conv128-GAP-dense: the benchmark's small VGG-style CNN. */
export function buildSmallVgg({ inputShape, numClasses, seed = 1 }: ModelInput): tfl.LayersModel {
  const input = tfl.input({ shape: inputShape, name: 'image' });
  let x = convBnRelu(input, 32, 'block1', 1, seed);
  x = convBnRelu(x, 32, 'block2', 1, seed + 1);
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tfl.SymbolicTensor;
  x = convBnRelu(x, 64, 'block3', 1, seed + 2);
  x = convBnRelu(x, 64, 'block4', 1, seed + 3);
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(x) as tfl.SymbolicTensor;
  x = convBnRelu(x, 128, 'block5', 1, seed + 4);
  return tfl.model({ inputs: input, outputs: classifierHead(x, numClasses, seed + 5), name: 'small_vgg' });
}
