import type { TrainTestSplit } from './image-dataset.js';
import { memoryTree, type FileTree } from './file-tree.js';
import { openIdxDataset } from './idx-dataset.js';

/** Reads one of the app's bundled asset files; each host knows where they live. */
export type AssetReader = (name: string) => Promise<Uint8Array>;

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const SAMPLE_DIR = 'fashion-mnist-sample';

const SAMPLE_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

/** The built-in sample's files as a tree (a project hashes its data set's files). */
export async function builtinSampleTree(readAsset: AssetReader): Promise<FileTree> {
  const files = new Map(await Promise.all(SAMPLE_FILES.map(async (f) => [f, await readAsset(`${SAMPLE_DIR}/${f}`)] as const)));
  return memoryTree(SAMPLE_DIR, files);
}

/** The built-in sample: 5,000 training and 1,000 test images of Fashion-MNIST (MIT licence), balanced. */
export async function loadBuiltinSample(readAsset: AssetReader): Promise<TrainTestSplit> {
  const read = async (file: string) => ({ name: `${SAMPLE_DIR}/${file}`, bytes: await readAsset(`${SAMPLE_DIR}/${file}`) });
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    read('train-images-idx3-ubyte.gz'),
    read('train-labels-idx1-ubyte.gz'),
    read('t10k-images-idx3-ubyte.gz'),
    read('t10k-labels-idx1-ubyte.gz'),
  ]);
  return {
    train: openIdxDataset(trainImages, trainLabels, 'Fashion-MNIST sample (train)', FASHION_MNIST_CLASSES),
    test: openIdxDataset(testImages, testLabels, 'Fashion-MNIST sample (test)', FASHION_MNIST_CLASSES),
  };
}
