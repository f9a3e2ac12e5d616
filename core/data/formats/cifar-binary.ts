import { DatasetFormatError } from '../dataset-errors.js';
import { baseName, type FileEntry, type FileTree } from '../file-tree.js';
import {
  CIFAR10_CLASSES,
  CIFAR100_COARSE_CLASSES,
  CIFAR100_FINE_CLASSES,
  checkNames,
  IMAGE_BYTES,
  openCifar,
  type CifarLayout,
  type CifarNames,
  type CifarPart,
} from './cifar-common.js';
import type { DatasetFormat } from './dataset-format.js';

/** CIFAR-10 binary version: records of 1 label byte + 3072 planar pixel bytes. */
const cifar10Layout: CifarLayout = {
  id: 'cifar10-binary',
  title: 'CIFAR-10',
  splitOf: (name) => (/^data_batch_[1-5]\.bin$/.test(name) ? 'train' : name === 'test_batch.bin' ? 'test' : undefined),
  fine: CIFAR10_CLASSES,
  readPart: (bytes, file) => readRecords(bytes, file, [{ what: 'label', classes: CIFAR10_CLASSES.length }]),
  async readNames(find, tree) {
    const warnings: string[] = [];
    return { fine: checkNames(await readLines(find('batches.meta.txt'), tree), CIFAR10_CLASSES, 'batches.meta.txt', warnings), warnings };
  },
};

/** CIFAR-100 binary version: a coarse label byte, a fine label byte, then the pixels. */
const cifar100Layout: CifarLayout = {
  id: 'cifar100-binary',
  title: 'CIFAR-100',
  splitOf: (name) => (name === 'train.bin' ? 'train' : name === 'test.bin' ? 'test' : undefined),
  fine: CIFAR100_FINE_CLASSES,
  coarse: CIFAR100_COARSE_CLASSES,
  readPart: (bytes, file) =>
    readRecords(bytes, file, [
      { what: 'coarse label', classes: CIFAR100_COARSE_CLASSES.length },
      { what: 'fine label', classes: CIFAR100_FINE_CLASSES.length },
    ]),
  async readNames(find, tree): Promise<CifarNames> {
    const warnings: string[] = [];
    const fine = checkNames(await readLines(find('fine_label_names.txt'), tree), CIFAR100_FINE_CLASSES, 'fine_label_names.txt', warnings);
    const coarse = checkNames(await readLines(find('coarse_label_names.txt'), tree), CIFAR100_COARSE_CLASSES, 'coarse_label_names.txt', warnings);
    return { fine, coarse, warnings };
  },
};

export const cifar10Binary: DatasetFormat = {
  id: cifar10Layout.id,
  label: 'CIFAR-10 (binary version)',
  expects: 'data_batch_1.bin ... data_batch_5.bin and/or test_batch.bin, with batches.meta.txt',
  imageKind: 'natural',
  match: (files) => files.some((f) => cifar10Layout.splitOf(baseName(f.path))),
  open: (tree, options) => openCifar(tree, cifar10Layout, options),
};

export const cifar100Binary: DatasetFormat = {
  id: cifar100Layout.id,
  label: 'CIFAR-100 (binary version)',
  expects: 'train.bin and/or test.bin, with fine_label_names.txt and coarse_label_names.txt',
  imageKind: 'natural',
  // train.bin is a common name: also ask for the label-name files or sizes that fit 3074-byte records.
  match: (files) => {
    const data = files.filter((f) => cifar100Layout.splitOf(baseName(f.path)));
    const names = files.some((f) => /^(fine|coarse)_label_names\.txt$/.test(baseName(f.path)));
    return data.length > 0 && (names || data.every((f) => f.size > 0 && f.size % (IMAGE_BYTES + 2) === 0));
  },
  open: (tree, options) => openCifar(tree, cifar100Layout, options),
};

interface LabelByte {
  what: string;
  classes: number;
}

/** Checks the record structure and every label; the last label byte is the one trained on. */
function readRecords(bytes: Uint8Array, file: string, labelBytes: LabelByte[]): CifarPart {
  const stride = labelBytes.length + IMAGE_BYTES;
  const count = Math.floor(bytes.length / stride);
  const extra = bytes.length % stride;
  if (bytes.length === 0) throw new DatasetFormatError(file, 'the file is empty');
  if (extra !== 0) {
    const other = labelBytes.length === 1 ? IMAGE_BYTES + 2 : IMAGE_BYTES + 1;
    const hint = bytes.length % other === 0 ? ` (its size fits ${other}-byte records: is it from CIFAR-${other === 3073 ? 10 : 100}?)` : '';
    throw new DatasetFormatError(
      file,
      `${bytes.length} bytes is not a whole number of ${stride}-byte records: record ${count} at byte ${count * stride} ` + `has only ${extra} bytes${hint}`,
    );
  }
  const labels = labelBytes.map(({ what, classes }, k) => {
    const out = new Uint8Array(count);
    for (let i = 0, at = k; i < count; i++, at += stride) {
      if (bytes[at] >= classes) {
        throw new DatasetFormatError(file, `${what} ${bytes[at]} of record ${i} (byte ${at}) is out of range 0..${classes - 1}`);
      }
      out[i] = bytes[at];
    }
    return out;
  });
  return {
    pixels: bytes,
    offset: labelBytes.length,
    stride,
    count,
    labels: labels[labels.length - 1],
    coarseLabels: labels.length > 1 ? labels[0] : undefined,
  };
}

/** Non-empty lines of a names file (the official ones end with blank lines), or undefined if absent. */
async function readLines(entry: FileEntry | undefined, tree: FileTree): Promise<string[] | undefined> {
  if (!entry) return undefined;
  const text = new TextDecoder().decode(await tree.read(entry.path));
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
