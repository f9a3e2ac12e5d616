import { DatasetFormatError } from '../dataset-errors.js';
import { baseName, type FileEntry } from '../file-tree.js';
import type { ImageDataset } from '../image-dataset.js';
import { columnMajorToHwc } from '../matlab/mat-images.js';
import { readMatFile } from '../matlab/mat-file.js';
import type { MatArray } from '../matlab/mat-matrix.js';
import { matBytes, matValues } from '../matlab/mat-values.js';
import type { DatasetFormat } from './dataset-format.js';

const SPLIT_FILES: Record<string, string> = { train: 'train_32x32.mat', test: 'test_32x32.mat', extra: 'extra_32x32.mat' };
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const SIDE = 32;

/** SVHN cropped digits (format 2): X is 32x32x3xN uint8, y is N labels 1..10 where 10 is digit 0. */
export const svhnMat: DatasetFormat = {
  id: 'svhn-mat',
  label: 'SVHN cropped digits (MATLAB)',
  expects: 'train_32x32.mat, test_32x32.mat and/or extra_32x32.mat',
  imageKind: 'digits',
  match: (files) => files.some((f) => splitOf(f) !== undefined),
  async open(tree, options = {}) {
    const files = (await tree.list()).filter((f) => splitOf(f) !== undefined);
    const total = files.reduce((sum, f) => sum + f.size, 0) || 1;
    const splits: Record<string, ImageDataset> = {};
    const warnings: string[] = [];
    let done = 0;
    for (const entry of files.sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const split = splitOf(entry)!;
      if (splits[split]) {
        warnings.push(`ignored ${entry.path}: another ${baseName(entry.path)} was read first`);
        continue;
      }
      options.signal?.throwIfAborted();
      const bytes = await tree.read(entry.path);
      const variables = readMatFile(bytes, entry.path, {
        onProgress: (fraction) => {
          options.signal?.throwIfAborted();
          options.onProgress?.((done + fraction * entry.size) / total, `Reading ${entry.path}`);
        },
      });
      splits[split] = svhnSplit(variables, entry.path, `SVHN ${split}`);
      done += entry.size;
    }
    return { format: 'svhn-mat', splits, classNames: [...DIGITS], warnings };
  },
};

function splitOf(entry: FileEntry): string | undefined {
  const name = baseName(entry.path).toLowerCase();
  return Object.keys(SPLIT_FILES).find((split) => SPLIT_FILES[split] === name);
}

/** Checks X and y and converts them to N x 32 x 32 x 3 pixels and labels 0..9. */
export function svhnSplit(variables: ReadonlyMap<string, MatArray>, file: string, name: string): ImageDataset {
  const found = [...variables.keys()].map((key) => `'${key}'`).join(', ') || 'none';
  const x = variables.get('X');
  const y = variables.get('y');
  if (!x || !y) throw new DatasetFormatError(file, `no variable '${x ? 'y' : 'X'}' (variables found: ${found})`);
  const [height, width, channels, count = 1, ...rest] = x.dims;
  if (height !== SIDE || width !== SIDE || channels !== 3 || rest.some((d) => d !== 1)) {
    throw new DatasetFormatError(file, `X is ${x.dims.join('x')} ${x.className}; expected 32x32x3xN images`);
  }
  const values = matValues(y);
  if (values.length !== count) throw new DatasetFormatError(file, `y has ${values.length} labels for the ${count} images in X`);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = values[i];
    // Official files use 1..10 with 10 for digit 0; re-saved copies sometimes use 0 itself.
    if (!(label >= 0 && label <= 10 && Number.isInteger(label))) {
      throw new DatasetFormatError(file, `label ${label} of record ${i} is out of range 1..10`);
    }
    labels[i] = label % 10;
  }
  const images = columnMajorToHwc(matBytes(x), SIDE, SIDE, 3);
  return { name, images, labels, count, height: SIDE, width: SIDE, channels: 3, classNames: [...DIGITS] };
}
