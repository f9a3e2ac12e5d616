import { FASHION_MNIST_CLASSES } from '../builtin-sample.js';
import { baseName, type FileEntry, type FileTree } from '../file-tree.js';
import type { ImageDataset } from '../image-dataset.js';
import { openIdxDataset } from '../idx-dataset.js';
import type { DatasetFormat, OpenOptions } from './dataset-format.js';

/** KMNIST's ten hiragana, in label order. */
export const KMNIST_CLASSES = ['お', 'き', 'す', 'つ', 'な', 'は', 'ま', 'や', 'れ', 'を'];
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

// train-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte, train-images.idx3-ubyte (some mirrors), any prefix.
const IDX_NAME = /^(.*?)(images|labels)[-.]idx[13]-ubyte(\.gz)?$/i;

interface IdxPair {
  key: string;
  split: string;
  images?: FileEntry;
  labels?: FileEntry;
}

/** MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST): image and label files paired by name. */
export const idxFiles: DatasetFormat = {
  id: 'idx-files',
  label: 'MNIST-style IDX files',
  expects: 'train-images-idx3-ubyte[.gz] with train-labels-idx1-ubyte[.gz] (and/or t10k-...)',
  imageKind: 'digits',
  match: (files) => pairFiles(files).some((pair) => pair.images && pair.labels),
  async open(tree, options = {}) {
    const files = await tree.list();
    const kind = datasetKind(tree.label, files);
    const splits: Record<string, ImageDataset> = {};
    const warnings: string[] = [];
    const pairs = pairFiles(files);
    const complete = pairs.filter((pair) => pair.images && pair.labels);
    for (const pair of pairs) {
      const lone = pair.images ?? pair.labels;
      if (!pair.images || !pair.labels) warnings.push(`ignored ${lone?.path}: no matching ${pair.images ? 'labels' : 'images'} file`);
      else if (splits[pair.split]) warnings.push(`ignored ${pair.images.path} and its labels: another ${pair.split} set was read first`);
      else {
        options.onProgress?.(Object.keys(splits).length / complete.length, `Reading ${pair.images.path}`);
        splits[pair.split] = await readPair(tree, pair.images, pair.labels, `${kind.name} ${pair.split}`, kind.classNames, options);
      }
    }
    options.onProgress?.(1, 'Read');
    return { format: 'idx-files', splits, classNames: [...kind.classNames], warnings };
  },
};

async function readPair(tree: FileTree, images: FileEntry, labels: FileEntry, name: string, classNames: string[], options: OpenOptions) {
  options.signal?.throwIfAborted();
  const [imageBytes, labelBytes] = await Promise.all([tree.read(images.path), tree.read(labels.path)]);
  options.signal?.throwIfAborted();
  return openIdxDataset({ name: images.path, bytes: imageBytes }, { name: labels.path, bytes: labelBytes }, name, [...classNames]);
}

/** Groups IDX files by folder and name prefix; the prefix names the split (train, t10k = test). */
function pairFiles(files: readonly FileEntry[]): IdxPair[] {
  const pairs = new Map<string, IdxPair>();
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const match = IDX_NAME.exec(baseName(file.path));
    if (!match) continue;
    const prefix = match[1].toLowerCase();
    const key = file.path.slice(0, file.path.length - baseName(file.path).length) + prefix;
    const pair = pairs.get(key) ?? { key, split: splitName(prefix) };
    pairs.set(key, pair);
    if (match[2].toLowerCase() === 'images') pair.images ??= file;
    else pair.labels ??= file;
  }
  return [...pairs.values()];
}

function splitName(prefix: string): string {
  if (/t10k|test/.test(prefix)) return 'test';
  if (/train/.test(prefix)) return 'train';
  return prefix.replace(/[-_.]+$/, '') || 'all';
}

/** The bytes cannot tell MNIST from Fashion-MNIST or KMNIST; the folder and file names can. */
function datasetKind(label: string, files: readonly FileEntry[]): { name: string; classNames: string[] } {
  const names = [label, ...files.map((f) => f.path)].join('\n').toLowerCase();
  if (names.includes('fashion')) return { name: 'Fashion-MNIST', classNames: FASHION_MNIST_CLASSES };
  if (names.includes('kmnist')) return { name: 'KMNIST', classNames: KMNIST_CLASSES };
  return { name: 'MNIST', classNames: DIGITS };
}
