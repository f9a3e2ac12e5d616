import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryTree, type FileEntry } from '../../../core/data/file-tree.js';
import { cifar100Binary, cifar10Binary } from '../../../core/data/formats/cifar-binary.js';
import { CIFAR10_CLASSES, CIFAR100_COARSE_CLASSES, type CifarSplit } from '../../../core/data/formats/cifar-common.js';
import { openPathAsTree } from '../../../core/node/node-file-tree.js';

// Real CIFAR-10 records, cut from the project's CIFAR-10 subset by test/fixtures/cifar/make-binary-excerpt.mjs
// (provenance and licence in the folder's PROVENANCE.txt): 20 train and 10 test images per class.
const EXCERPT = new URL('../../fixtures/cifar/cifar-10-batches-bin/', import.meta.url);
const excerptFile = (name: string) => new Uint8Array(readFileSync(new URL(name, EXCERPT)));

/** Pixel pattern of the synthetic files: image n, channel c, row h, column w. */
const pixel = (n: number, c: number, h: number, w: number) => (h + 2 * w + 50 * c + 7 * n) % 256;

/** Records of `labels` bytes each followed by planar pixels in the pattern. */
function records(labels: number[][]): Uint8Array {
  const stride = labels[0].length + 3072;
  const out = new Uint8Array(labels.length * stride);
  labels.forEach((bytes, n) => {
    out.set(bytes, n * stride);
    for (let i = 0; i < 3072; i++) out[n * stride + bytes.length + i] = pixel(n, Math.floor(i / 1024), Math.floor(i / 32) % 32, i % 32);
  });
  return out;
}

function expectPattern(split: CifarSplit, count: number) {
  expect([split.count, split.height, split.width, split.channels, split.images.length]).toEqual([count, 32, 32, 3, count * 3072]);
  for (let i = 0; i < split.images.length; i++) {
    const [n, h, w, c] = [Math.floor(i / 3072), Math.floor(i / 96) % 32, Math.floor(i / 3) % 32, i % 3];
    if (split.images[i] !== pixel(n, c, h, w)) throw new Error(`pixel n=${n} h=${h} w=${w} c=${c}`);
  }
}

const entries = (files: Map<string, Uint8Array>): FileEntry[] => [...files].map(([path, b]) => ({ path, size: b.length }));

describe('CIFAR-10 binary: real records', () => {
  it('reads 200 train and 100 test images with balanced labels', async () => {
    const tree = await openPathAsTree(fileURLToPath(EXCERPT));
    expect(cifar10Binary.match(await tree.list())).toBe(true);
    const loaded = await cifar10Binary.open(tree);
    expect(loaded.classNames).toEqual(CIFAR10_CLASSES);
    expect(loaded.warnings).toEqual([]);
    const { train, test } = loaded.splits;
    expect([train.count, test.count]).toEqual([200, 100]);
    expect([train.name, test.name]).toEqual(['CIFAR-10 train', 'CIFAR-10 test']);
    for (const [split, perClass] of [
      [train, 20],
      [test, 10],
    ] as const) {
      const histogram = new Array<number>(10).fill(0);
      for (const label of split.labels) histogram[label]++;
      expect(histogram).toEqual(new Array(10).fill(perClass));
    }
  });

  it("puts each record's R, G and B planes at the right HWC positions", async () => {
    const raw = excerptFile('data_batch_1.bin');
    const { train } = (await cifar10Binary.open(memoryTree('excerpt', new Map([['data_batch_1.bin', raw]])))).splits;
    for (const n of [0, 1, 123, 199]) {
      const record = n * 3073;
      expect(train.labels[n]).toBe(raw[record]);
      for (const [h, w] of [
        [0, 0],
        [0, 31],
        [5, 17],
        [31, 0],
        [31, 31],
      ]) {
        for (let c = 0; c < 3; c++) {
          expect(train.images[n * 3072 + (h * 32 + w) * 3 + c]).toBe(raw[record + 1 + c * 1024 + h * 32 + w]);
        }
      }
    }
    // Every label is the one the manifest (written from the source's) names, with its class.
    const [, ...rows] = new TextDecoder().decode(excerptFile('data_batch_1.bin.manifest.csv')).trim().split('\n');
    expect(rows.map((row) => row.split(',').slice(0, 3))).toEqual([...train.labels].map((label, n) => [String(n), String(label), CIFAR10_CLASSES[label]]));
  });
});

describe('CIFAR binary files', () => {
  const cifar10 = records([[3], [9]]);
  const cifar100 = records([
    [19, 99],
    [0, 0],
    [7, 42],
  ]);
  const names = (prefix: string, n: number) => new TextEncoder().encode(Array.from({ length: n }, (_, i) => `${prefix}${i}`).join('\n') + '\n\n');

  it('reads a subset of CIFAR-10 batches anywhere in the tree and warns about the missing meta file', async () => {
    const files = new Map([['cifar-10-batches-bin/data_batch_2.bin', cifar10]]);
    const loaded = await cifar10Binary.open(memoryTree('t', files));
    expect(Object.keys(loaded.splits)).toEqual(['train']);
    expectPattern(loaded.splits.train, 2);
    expect([...loaded.splits.train.labels]).toEqual([3, 9]);
    expect(loaded.classNames).toEqual(CIFAR10_CLASSES);
    expect(loaded.warnings).toEqual(['no batches.meta.txt: using the official class names']);
  });

  it('joins train batches in order and ignores a second copy of a batch', async () => {
    const files = new Map([
      ['b/data_batch_2.bin', records([[1]])],
      ['a/data_batch_1.bin', cifar10],
      ['b/data_batch_1.bin', records([[5]])],
    ]);
    const loaded = await cifar10Binary.open(memoryTree('t', files));
    expect([...loaded.splits.train.labels]).toEqual([3, 9, 1]);
    expect(loaded.warnings).toContain('ignored b/data_batch_1.bin: a/data_batch_1.bin was read instead');
  });

  it('reads CIFAR-100 with fine labels for training and coarse labels beside them', async () => {
    const files = new Map([
      ['c/train.bin', cifar100],
      ['c/fine_label_names.txt', names('f', 100)],
      ['c/coarse_label_names.txt', names('c', 20)],
    ]);
    expect(cifar100Binary.match(entries(files))).toBe(true);
    const loaded = await cifar100Binary.open(memoryTree('t', files));
    const train = loaded.splits.train as CifarSplit;
    expectPattern(train, 3);
    expect([...train.labels]).toEqual([99, 0, 42]);
    expect([...(train.coarseLabels ?? [])]).toEqual([19, 0, 7]);
    expect([loaded.classNames[99], train.coarseClassNames?.[19], loaded.warnings]).toEqual(['f99', 'c19', []]);
  });

  it('uses the official CIFAR-100 names when a names file has the wrong count', async () => {
    const files = new Map([
      ['test.bin', cifar100],
      ['fine_label_names.txt', names('f', 3)],
    ]);
    const loaded = await cifar100Binary.open(memoryTree('t', files));
    expect((loaded.splits.test as CifarSplit).coarseClassNames).toEqual(CIFAR100_COARSE_CLASSES);
    expect(loaded.classNames[1]).toBe('aquarium_fish');
    expect(loaded.warnings).toEqual([
      'fine_label_names.txt has 3 class names, expected 100: using the official names',
      'no coarse_label_names.txt: using the official class names',
    ]);
  });

  it('reports progress, stops when aborted and refuses a tree without data files', async () => {
    const files = new Map([
      ['data_batch_1.bin', cifar10],
      ['test_batch.bin', cifar10],
    ]);
    const fractions: number[] = [];
    await cifar10Binary.open(memoryTree('t', files), { onProgress: (fraction) => fractions.push(fraction) });
    expect(fractions).toEqual([0, 0.5, 1]);
    const signal = AbortSignal.abort(new Error('stopped by the user'));
    await expect(cifar10Binary.open(memoryTree('t', files), { signal })).rejects.toThrow('stopped by the user');
    await expect(cifar10Binary.open(memoryTree('t', new Map()))).rejects.toThrow('t: no CIFAR-10 data files');
  });

  it.each([
    { files: ['data_batch_1.bin'], sizes: [3073], expect: 'cifar10-binary' },
    { files: ['x/test_batch.bin', 'x/batches.meta.txt'], sizes: [3073, 60], expect: 'cifar10-binary' },
    { files: ['train.bin'], sizes: [3074 * 2], expect: 'cifar100-binary' },
    { files: ['train.bin', 'fine_label_names.txt'], sizes: [100, 10], expect: 'cifar100-binary' },
    { files: ['train.bin'], sizes: [3073], expect: 'none' },
    { files: ['data_batch_1'], sizes: [3073], expect: 'none' },
  ])('recognises $files', ({ files, sizes, expect: id }) => {
    const list = files.map((path, i) => ({ path, size: sizes[i] }));
    const found = [cifar10Binary, cifar100Binary].find((f) => f.match(list));
    expect(found?.id ?? 'none').toBe(id);
  });

  it.each([
    {
      file: 'data_batch_1.bin',
      bytes: cifar10.subarray(0, 5000),
      error: /data_batch_1.bin: 5000 bytes is not a whole number of 3073-byte records: record 1 at byte 3073 has only 1927 bytes/,
    },
    {
      file: 'data_batch_1.bin',
      bytes: cifar100,
      error: new RegExp(
        /9222 bytes is not a whole number of 3073-byte records: record 3 at byte 9219 has only 3 bytes /.source +
          /\(its size fits 3074-byte records: is it from CIFAR-100\?\)/.source,
      ),
    },
    { file: 'test_batch.bin', bytes: records([[3], [10]]), error: /test_batch.bin: label 10 of record 1 \(byte 3073\) is out of range 0..9/ },
    { file: 'test_batch.bin', bytes: new Uint8Array(0), error: /test_batch.bin: the file is empty/ },
    {
      file: 'train.bin',
      bytes: records([
        [1, 2],
        [20, 2],
      ]),
      error: /train.bin: coarse label 20 of record 1 \(byte 3074\) is out of range 0..19/,
    },
    {
      file: 'train.bin',
      bytes: records([
        [1, 2],
        [2, 100],
      ]),
      error: /train.bin: fine label 100 of record 1 \(byte 3075\) is out of range 0..99/,
    },
  ])('refuses a faulty $file and says where: $error', async ({ file, bytes, error }) => {
    const format = file === 'train.bin' ? cifar100Binary : cifar10Binary;
    await expect(format.open(memoryTree('t', new Map([[file, bytes]])))).rejects.toThrow(error);
  });
});
