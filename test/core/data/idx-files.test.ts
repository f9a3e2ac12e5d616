import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from '../../../core/data/builtin-sample.js';
import { type FileTree, memoryTree } from '../../../core/data/file-tree.js';
import { idxFiles, KMNIST_CLASSES } from '../../../core/data/formats/idx-files.js';

/** An IDX ubyte file: magic 0 0 8 rank, big-endian dims, then the bytes. */
function idx(dims: number[], data: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(bytes.buffer);
  bytes.set([0, 0, 8, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(data, 4 + 4 * dims.length);
  return bytes;
}

const images = (n: number) =>
  idx(
    [n, 2, 2],
    Array.from({ length: 4 * n }, (_, i) => i),
  );
const labels = (values: number[]) => idx([values.length], values);
const SAMPLE = new URL('../../../core/assets/fashion-mnist-sample/', import.meta.url);
const tree = (label: string, files: Record<string, Uint8Array>) => memoryTree(label, new Map(Object.entries(files)));
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

describe('MNIST-style IDX files', () => {
  it.each([
    {
      file: 'MNIST, gzipped',
      tree: tree('mnist', {
        'train-images-idx3-ubyte.gz': gzipSync(images(3)),
        'train-labels-idx1-ubyte.gz': gzipSync(labels([1, 2, 3])),
        't10k-images-idx3-ubyte.gz': gzipSync(images(2)),
        't10k-labels-idx1-ubyte.gz': gzipSync(labels([4, 5])),
      }),
      expect: { splits: { train: 3, test: 2 }, classNames: DIGITS },
    },
    {
      file: 'a mirror with dots, raw',
      tree: tree('data', { 'raw/train-images.idx3-ubyte': images(3), 'raw/train-labels.idx1-ubyte': labels([0, 0, 9]) }),
      expect: { splits: { train: 3 }, classNames: DIGITS },
    },
    {
      file: 'Fashion-MNIST by folder',
      tree: tree('/data', { 'fashion/t10k-images-idx3-ubyte': images(1), 'fashion/t10k-labels-idx1-ubyte': labels([7]) }),
      expect: { splits: { test: 1 }, classNames: FASHION_MNIST_CLASSES },
    },
    {
      file: 'KMNIST by label',
      tree: tree('/data/kmnist', { 'train-images-idx3-ubyte.gz': gzipSync(images(2)), 'train-labels-idx1-ubyte.gz': gzipSync(labels([0, 9])) }),
      expect: { splits: { train: 2 }, classNames: KMNIST_CLASSES },
    },
  ])('opens $file', async ({ tree, expect: want }) => {
    expect(idxFiles.match(await tree.list())).toBe(true);
    const loaded = await idxFiles.open(tree);
    expect(Object.fromEntries(Object.entries(loaded.splits).map(([name, set]) => [name, set.count]))).toEqual(want.splits);
    expect(loaded.classNames).toEqual(want.classNames);
    const first = Object.values(loaded.splits)[0];
    expect([first.height, first.width, first.channels, [...first.images.subarray(0, 4)]]).toEqual([2, 2, 1, [0, 1, 2, 3]]);
  });

  it('does not match images without labels, nor other files', () => {
    expect(idxFiles.match([{ path: 'train-images-idx3-ubyte.gz', size: 9 }])).toBe(false);
    expect(
      idxFiles.match([
        { path: 'kmnist-train-imgs.npz', size: 9 },
        { path: 'kmnist-train-labels.npz', size: 9 },
      ]),
    ).toBe(false);
  });

  it('warns about a file without its partner', async () => {
    const loaded = await idxFiles.open(
      tree('m', { 'train-images-idx3-ubyte': images(1), 'train-labels-idx1-ubyte': labels([1]), 't10k-images-idx3-ubyte': images(1) }),
    );
    expect(loaded.warnings).toEqual(['ignored t10k-images-idx3-ubyte: no matching labels file']);
  });

  it.each<{ file: string; files: Record<string, Uint8Array>; error: RegExp }>([
    {
      file: 'label 10',
      files: { 'train-images-idx3-ubyte': images(2), 'train-labels-idx1-ubyte': labels([1, 10]) },
      error: /train-labels-idx1-ubyte: label 10 of record 1 is out of range 0..9/,
    },
    {
      file: 'truncated gzip',
      files: { 'train-images-idx3-ubyte.gz': gzipSync(images(2)).subarray(0, 20), 'train-labels-idx1-ubyte.gz': gzipSync(labels([1, 2])) },
      error: /train-images-idx3-ubyte.gz: corrupt gzip data/,
    },
    {
      file: 'counts differ',
      files: { 'train-images-idx3-ubyte': images(2), 'train-labels-idx1-ubyte': labels([1]) },
      error: /train-labels-idx1-ubyte: 1 labels for 2 images/,
    },
  ])('names the file and the fault: $file', async ({ files, error }) => {
    await expect(idxFiles.open(tree('m', files))).rejects.toThrow(error);
  });

  it('reads real Fashion-MNIST, gzipped and raw', async () => {
    // The app's built-in sample: the first 500 training and 100 test images of each class of Fashion-MNIST,
    // in the original files' order (core/assets/fashion-mnist-sample/LICENSE).
    const names = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
    const files = new Map(names.map((name) => [name, new Uint8Array(readFileSync(new URL(name, SAMPLE)))]));
    const disk: FileTree = memoryTree('fashion-mnist', files);
    const loaded = await idxFiles.open(disk);
    expect(loaded.classNames).toEqual(FASHION_MNIST_CLASSES);
    const { train, test } = loaded.splits;
    expect([train.count, train.height, train.width, train.channels, test.count]).toEqual([5000, 28, 28, 1, 1000]);
    for (const [set, perClass] of [
      [train, 500],
      [test, 100],
    ] as const) {
      const counts = new Array(10).fill(0);
      for (const label of set.labels) counts[label]++;
      expect(counts).toEqual(new Array(10).fill(perClass));
    }
    // Pixels and labels against the decompressed bytes: 16-byte image header, 8-byte label header.
    const raw = gunzipSync(files.get('train-images-idx3-ubyte.gz')!);
    const rawLabels = gunzipSync(files.get('train-labels-idx1-ubyte.gz')!);
    for (const [image, row, col] of [
      [0, 14, 14],
      [1, 10, 20],
      [4999, 27, 27],
      [3137, 5, 9],
    ]) {
      const at = (image * 28 + row) * 28 + col;
      expect(train.images[at]).toBe(raw[16 + at]);
      expect(train.labels[image]).toBe(rawLabels[8 + image]);
    }
    expect(train.labels[0]).toBe(9); // the first Fashion-MNIST training image is an ankle boot
    // The same files uncompressed, as MNIST's download unpacks them: the same images and labels.
    const unpacked = new Map([...files].map(([name, bytes]) => [name.replace(/\.gz$/, ''), gunzipSync(bytes)]));
    const fromRaw = await idxFiles.open(memoryTree('fashion-mnist-raw', unpacked));
    // (Compared byte by byte here: toEqual on 3.9 million elements takes over a minute.)
    const firstDifference = (a: Uint8Array, b: Uint8Array) => (a.length === b.length ? a.findIndex((v, i) => v !== b[i]) : -2);
    expect(firstDifference(fromRaw.splits.train.images, train.images)).toBe(-1);
    expect(firstDifference(fromRaw.splits.test.labels, test.labels)).toBe(-1);
  });
});
