import * as tfl from '@tensorflow/tfjs-layers';
import { loadBuiltinSample } from '../../../core/data/builtin-sample.js';
import { channelStatistics, type ImageDataset, type Normalisation } from '../../../core/data/image-dataset.js';
import { takeRecords } from '../../../core/data/splits.js';
import { readAsset } from '../../../core/node/assets.js';

/** A classifier small enough to train in a second: strided conv, batch norm (moving statistics), dense. */
export function tinyClassifier(seed: number, numClasses = 10): tfl.LayersModel {
  const input = tfl.input({ shape: [28, 28, 1] });
  let x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, strides: 2, kernelInitializer: tfl.initializers.heNormal({ seed }) })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: numClasses, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits });
}

/** The first `count` images of the built-in Fashion-MNIST sample's training and test sets. */
export async function sampleImages(count: number): Promise<{ train: ImageDataset; test: ImageDataset; norm: Normalisation }> {
  const sample = await loadBuiltinSample(readAsset);
  const first = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
  const train = takeRecords(sample.train, first(count));
  return { train, test: takeRecords(sample.test, first(Math.min(count, sample.test.count))), norm: channelStatistics(train) };
}
