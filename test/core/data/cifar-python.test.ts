import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryTree, type FileEntry } from '../../../core/data/file-tree.js';
import { CIFAR10_CLASSES, type CifarSplit } from '../../../core/data/formats/cifar-common.js';
import { cifar100Python, cifar10Python } from '../../../core/data/formats/cifar-python.js';

// Fixtures from test/fixtures/cifar/make_fixtures.py: Python 2 style protocol 2 pickles as published.
const FIXTURES = new URL('../../fixtures/cifar/', import.meta.url);
const fixture = (path: string) => new Uint8Array(readFileSync(new URL(path, FIXTURES)));

/** A fixture folder as the tree a user would open: files under `<folder>/`. */
function folderTree(folder: string, replace: Record<string, Uint8Array | undefined> = {}) {
  const files = new Map<string, Uint8Array>();
  for (const name of readdirSync(new URL(`${folder}/`, FIXTURES))) files.set(`${folder}/${name}`, fixture(`${folder}/${name}`));
  for (const [name, bytes] of Object.entries(replace)) {
    if (bytes) files.set(`${folder}/${name}`, bytes);
    else files.delete(`${folder}/${name}`);
  }
  return memoryTree(folder, files);
}

/** The generator's pattern: image n (base + index), channel c, row h, column w. */
const pixel = (n: number, c: number, h: number, w: number) => (h + 2 * w + 50 * c + 7 * n) % 256;

function expectPattern(split: CifarSplit, count: number, base: number) {
  expect([split.count, split.height, split.width, split.channels, split.images.length]).toEqual([count, 32, 32, 3, count * 3072]);
  for (let i = 0; i < split.images.length; i++) {
    const [n, h, w, c] = [Math.floor(i / 3072), Math.floor(i / 96) % 32, Math.floor(i / 3) % 32, i % 3];
    if (split.images[i] !== pixel(base + n, c, h, w)) throw new Error(`pixel n=${n} h=${h} w=${w} c=${c}`);
  }
}

const entries = (paths: string[]): FileEntry[] => paths.map((path) => ({ path, size: 1000 }));

describe('CIFAR Python version', () => {
  it('reads CIFAR-10 batches, joining the train batches in order', async () => {
    const tree = folderTree('cifar-10-batches-py');
    expect(cifar10Python.match(await tree.list())).toBe(true);
    const loaded = await cifar10Python.open(tree);
    const { train, test } = loaded.splits;
    expectPattern(train, 5, 0);
    expectPattern(test, 2, 50);
    expect([...train.labels]).toEqual([1, 4, 7, 0, 3]);
    expect([...test.labels]).toEqual([1, 4]);
    expect([loaded.format, loaded.classNames, loaded.warnings]).toEqual(['cifar10-python', CIFAR10_CLASSES, []]);
  });

  it('reads CIFAR-100 with fine labels, coarse labels and both name lists from meta', async () => {
    const loaded = await cifar100Python.open(folderTree('cifar-100-python'));
    const train = loaded.splits.train as CifarSplit;
    expectPattern(train, 3, 0);
    expectPattern(loaded.splits.test, 2, 50);
    expect([...train.labels]).toEqual([3, 10, 17]);
    expect([...(train.coarseLabels ?? [])]).toEqual([0, 3, 6]);
    expect([loaded.classNames[99], train.coarseClassNames?.[19], loaded.warnings]).toEqual(['fine_99', 'coarse_19', []]);
  });

  it.each([
    { file: 'test_batch-py3-p2', how: 'Python 3, protocol 2 (bytes through _codecs.encode)' },
    { file: 'test_batch-py3-p4', how: 'Python 3, protocol 4 (BINBYTES, STACK_GLOBAL, frames)' },
  ])('reads a batch re-saved by $how', async ({ file }) => {
    const tree = folderTree('cifar-10-batches-py', { test_batch: fixture(`pickles/${file}`), data_batch_1: undefined, data_batch_2: undefined });
    const { test } = (await cifar10Python.open(tree)).splits;
    expectPattern(test, 2, 50);
    expect([...test.labels]).toEqual([1, 4]);
  });

  it('warns and uses the official names without a meta file', async () => {
    const loaded = await cifar10Python.open(folderTree('cifar-10-batches-py', { 'batches.meta': undefined }));
    expect(loaded.classNames).toEqual(CIFAR10_CLASSES);
    expect(loaded.warnings).toEqual(['no batches.meta: using the official class names']);
  });

  it.each([
    { files: ['cifar-10-batches-py/data_batch_1'], expect: 'cifar10-python' },
    { files: ['cifar-100-python/train'], expect: 'cifar100-python' },
    { files: ['x/test', 'x/meta'], expect: 'cifar100-python' },
    { files: ['x/test', 'y/meta'], expect: 'none' },
    { files: ['data_batch_1.bin'], expect: 'none' },
  ])('recognises $files', ({ files, expect: id }) => {
    const found = [cifar10Python, cifar100Python].find((f) => f.match(entries(files)));
    expect(found?.id ?? 'none').toBe(id);
  });

  /** data_batch_1 with its first label (BININT1 1, then 4 and 7) set to 12. */
  function labelOutOfRange(): Uint8Array {
    const bytes = fixture('cifar-10-batches-py/data_batch_1').slice();
    const at = bytes.findIndex((_, i) => [0x4b, 1, 0x4b, 4, 0x4b, 7].every((b, k) => bytes[i + k] === b));
    bytes[at + 1] = 12;
    return bytes;
  }

  it.each([
    {
      file: 'data_batch_1',
      bytes: fixture('cifar-10-batches-py/data_batch_1').subarray(0, 4000),
      error: /data_batch_1: pickle BINSTRING at byte \d+: truncated: needs 9216 bytes/,
    },
    { file: 'data_batch_1', bytes: labelOutOfRange(), error: /data_batch_1: 'labels' label 12 of record 0 is out of range 0..9/ },
    { file: 'data_batch_1', bytes: fixture('broken/labels-count'), error: /data_batch_1: 'labels' has 2 labels for the 1 images in 'data'/ },
    { file: 'data_batch_1', bytes: fixture('broken/float-data'), error: /data_batch_1: 'data' holds f4 values, expected uint8/ },
    { file: 'data_batch_1', bytes: fixture('broken/no-data'), error: /data_batch_1: no numpy array under 'data' \(keys: 'labels'\)/ },
    { file: 'data_batch_1', bytes: fixture('broken/a-list'), error: /data_batch_1: expected a pickled dict, found list/ },
    { file: 'test_batch', bytes: fixture('pickles/evil.pkl'), error: /test_batch: pickle GLOBAL at byte 2: refers to 'posix.system'/ },
    {
      file: 'test_batch',
      bytes: Uint8Array.from([0x80, 2, ...new TextEncoder().encode('garbage')]),
      error: /test_batch: pickle GET at byte 2: truncated: no end of line after byte 3/,
    },
  ])('refuses a faulty $file: $error', async ({ file, bytes, error }) => {
    await expect(cifar10Python.open(memoryTree('t', new Map([[file, bytes]])))).rejects.toThrow(error);
  });
});
