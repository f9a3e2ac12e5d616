import * as tfl from '@tensorflow/tfjs-layers';

export interface ModelInput {
  inputShape: [number, number, number];
  numClasses: number;
  seed?: number;
}

/** PyTorch's default (0.1 there, as the weight of the new batch): the zoo's papers trained with it. */
export const BN_MOMENTUM = 0.9;

/** conv + batch norm + ReLU, the unit every zoo model is built from. */
export function convBnRelu(x: tfl.SymbolicTensor, filters: number, name: string, strides = 1, seed?: number) {
  const conv = tfl.layers
    .conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, name: `${name}_conv`, kernelInitializer: tfl.initializers.heNormal({ seed }) })
    .apply(x) as tfl.SymbolicTensor;
  const bn = tfl.layers.batchNormalization({ name: `${name}_bn`, momentum: BN_MOMENTUM }).apply(conv) as tfl.SymbolicTensor;
  return tfl.layers.reLU({ name: `${name}_relu` }).apply(bn) as tfl.SymbolicTensor;
}

/** Global pooling and a dense classifier that outputs logits (training applies softmax cross-entropy). */
export function classifierHead(x: tfl.SymbolicTensor, numClasses: number, seed?: number) {
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfl.SymbolicTensor;
  return tfl.layers.dense({ units: numClasses, name: 'fc', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }).apply(pooled) as tfl.SymbolicTensor;
}

/**
 * The small CNN of the demo: four conv units, two poolings, global pooling and a classifier.
 * Small enough to train on the built-in sample in about a minute on two CPU cores.
 */
export function buildDemoCnn({ inputShape, numClasses, seed = 1 }: ModelInput): tfl.LayersModel {
  const input = tfl.input({ shape: inputShape, name: 'image' });
  let x = convBnRelu(input, 16, 'block1', 1, seed);
  x = convBnRelu(x, 32, 'block2', 1, seed + 1);
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tfl.SymbolicTensor;
  x = convBnRelu(x, 64, 'block3', 1, seed + 2);
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(x) as tfl.SymbolicTensor;
  x = convBnRelu(x, 64, 'block4', 1, seed + 3);
  return tfl.model({ inputs: input, outputs: classifierHead(x, numClasses, seed + 4), name: 'demo_cnn' });
}
