import { DatasetFormatError } from '../dataset-errors.js';
import { baseName, type FileEntry, type FileTree } from '../file-tree.js';
import { NumpyArray, numbersOf } from '../pickle/numpy-objects.js';
import { unpickle } from '../pickle/unpickle.js';
import { describe, PickleDict, textOf, type PickleValue } from '../pickle/pickle-values.js';
import {
  CIFAR10_CLASSES,
  CIFAR100_COARSE_CLASSES,
  CIFAR100_FINE_CLASSES,
  checkNames,
  IMAGE_BYTES,
  openCifar,
  type CifarLayout,
  type CifarPart,
} from './cifar-common.js';
import type { DatasetFormat } from './dataset-format.js';

/** CIFAR Python version: pickled dicts holding an N x 3072 uint8 numpy array and lists of labels. */
const cifar10Layout: CifarLayout = {
  id: 'cifar10-python',
  title: 'CIFAR-10',
  splitOf: (name) => (/^data_batch_[1-5]$/.test(name) ? 'train' : name === 'test_batch' ? 'test' : undefined),
  fine: CIFAR10_CLASSES,
  readPart: (bytes, file) => readBatch(bytes, file, { key: 'labels', classes: CIFAR10_CLASSES.length }),
  async readNames(find, tree) {
    const warnings: string[] = [];
    const meta = await readMeta(find('batches.meta'), tree);
    return { fine: checkNames(meta && names(meta, 'label_names'), CIFAR10_CLASSES, 'batches.meta', warnings), warnings };
  },
};

const cifar100Layout: CifarLayout = {
  id: 'cifar100-python',
  title: 'CIFAR-100',
  splitOf: (name) => (name === 'train' || name === 'test' ? name : undefined),
  fine: CIFAR100_FINE_CLASSES,
  coarse: CIFAR100_COARSE_CLASSES,
  readPart: (bytes, file) =>
    readBatch(bytes, file, { key: 'fine_labels', classes: CIFAR100_FINE_CLASSES.length }, { key: 'coarse_labels', classes: CIFAR100_COARSE_CLASSES.length }),
  async readNames(find, tree) {
    const warnings: string[] = [];
    const meta = await readMeta(find('meta'), tree);
    const fine = checkNames(meta && names(meta, 'fine_label_names'), CIFAR100_FINE_CLASSES, 'meta (fine_label_names)', warnings);
    const coarse = checkNames(meta && names(meta, 'coarse_label_names'), CIFAR100_COARSE_CLASSES, 'meta (coarse_label_names)', warnings);
    return { fine, coarse, warnings };
  },
};

export const cifar10Python: DatasetFormat = {
  id: cifar10Layout.id,
  label: 'CIFAR-10 (Python version)',
  expects: 'data_batch_1 ... data_batch_5 and/or test_batch, with batches.meta (as in cifar-10-batches-py)',
  imageKind: 'natural',
  match: (files) => files.some((f) => cifar10Layout.splitOf(baseName(f.path))),
  open: (tree, options) => openCifar(tree, cifar10Layout, options),
};

export const cifar100Python: DatasetFormat = {
  id: cifar100Layout.id,
  label: 'CIFAR-100 (Python version)',
  expects: 'train and/or test, with meta (as in cifar-100-python)',
  imageKind: 'natural',
  // 'train' and 'test' are common names: ask for a 'meta' beside them or the official folder name.
  match: (files) =>
    files.some((f) => {
      const folder = f.path.slice(0, f.path.lastIndexOf('/') + 1);
      const besideMeta = files.some((m) => m.path === `${folder}meta`);
      return cifar100Layout.splitOf(baseName(f.path)) !== undefined && (besideMeta || folder.endsWith('cifar-100-python/'));
    }),
  open: (tree, options) => openCifar(tree, cifar100Layout, options),
};

interface LabelKey {
  key: string;
  classes: number;
}

/** One pickled batch: b'data' N x 3072 uint8 (planar RGB rows) and its label lists. */
function readBatch(bytes: Uint8Array, file: string, fine: LabelKey, coarse?: LabelKey): CifarPart {
  const batch = unpickle(bytes, file);
  if (!(batch instanceof PickleDict)) throw new DatasetFormatError(file, `expected a pickled dict, found ${describe(batch)}`);
  const data = batch.get('data');
  const keys =
    batch
      .keys()
      .map((k) => `'${k}'`)
      .join(', ') || 'none';
  if (!(data instanceof NumpyArray)) throw new DatasetFormatError(file, `no numpy array under 'data' (keys: ${keys})`);
  const dtype = data.dtype?.descr ?? '?';
  if (dtype !== 'u1') throw new DatasetFormatError(file, `'data' holds ${dtype} values, expected uint8 (u1)`);
  const [count, width = 0] = data.shape;
  if (data.shape.length !== 2 || width !== IMAGE_BYTES || (data.fortranOrder && count > 1)) {
    throw new DatasetFormatError(file, `'data' is ${data.shape.join('x')}${data.fortranOrder ? ' (Fortran order)' : ''}, expected N x 3072 in C order`);
  }
  const labels = labelArray(batch.get(fine.key), fine, count, file, keys);
  const coarseLabels = coarse && labelArray(batch.get(coarse.key), coarse, count, file, keys);
  return { pixels: data.data, offset: 0, stride: IMAGE_BYTES, count, labels, coarseLabels };
}

/** A list of ints (or a numpy integer array), checked against the class count record by record. */
function labelArray(value: PickleValue | undefined, { key, classes }: LabelKey, count: number, file: string, keys: string): Uint8Array {
  const fail: (detail: string) => never = (detail) => {
    throw new DatasetFormatError(file, detail);
  };
  const values = Array.isArray(value) ? value : value instanceof NumpyArray && value.dtype ? numbersOf(value.dtype, value.data, fail) : undefined;
  if (!values) fail(`no list of labels under '${key}' (keys: ${keys})`);
  if (values.length !== count) fail(`'${key}' has ${values.length} labels for the ${count} images in 'data'`);
  const labels = new Uint8Array(count);
  values.forEach((label, i) => {
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= classes) {
      fail(`'${key}' label ${String(label)} of record ${i} is out of range 0..${classes - 1}`);
    }
    labels[i] = label;
  });
  return labels;
}

async function readMeta(entry: FileEntry | undefined, tree: FileTree): Promise<PickleDict | undefined> {
  if (!entry) return undefined;
  const meta = unpickle(await tree.read(entry.path), entry.path);
  if (!(meta instanceof PickleDict)) throw new DatasetFormatError(entry.path, `expected a pickled dict, found ${describe(meta)}`);
  return meta;
}

/** A list of (byte) strings, or undefined, which makes the caller warn and use the official names. */
function names(meta: PickleDict, key: string): string[] | undefined {
  const list = meta.get(key);
  const texts = Array.isArray(list) ? list.map((item) => textOf(item)) : [];
  return texts.length > 0 && texts.every((t) => t !== undefined) ? (texts as string[]) : undefined;
}
