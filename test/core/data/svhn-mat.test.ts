import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../../../core/data/dataset-errors.js';
import { memoryTree } from '../../../core/data/file-tree.js';
import { svhnMat, svhnSplit } from '../../../core/data/formats/svhn-mat.js';
import { readMatFile } from '../../../core/data/matlab/mat-file.js';
import { type MatVariable, writeMat } from '../../fixtures/svhn/mat-writer.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../fixtures/svhn/${name}`, import.meta.url)));
const train = fixture('train_32x32.mat'); // scipy, compressed, y double
const test = fixture('test_32x32.mat'); // scipy, uncompressed, y uint8
const extra = fixture('extra_32x32.mat'); // scipy, compressed, y int32

/** The generator's pattern: X[h, w, c, n] = (h + 2w + 50c + 7n) mod 256, labels n mod 10 + 1. */
const pixel = (h: number, w: number, c: number, n: number) => (h + 2 * w + 50 * c + 7 * n) % 256;
const pixels = (n: number) =>
  Array.from({ length: 32 * 32 * 3 * n }, (_, i) => pixel(i % 32, Math.floor(i / 32) % 32, Math.floor(i / 1024) % 3, Math.floor(i / 3072)));
const X = (n: number, dims = [32, 32, 3, n]): MatVariable => ({ name: 'X', classCode: 9, dims, values: pixels(n), storage: 2 });
const y = (values: number[], classCode = 6, storage = 9): MatVariable => ({ name: 'y', classCode, dims: [values.length, 1], values, storage });
const load = (bytes: Uint8Array, file = 'f.mat') => svhnSplit(readMatFile(bytes, file), file, 'SVHN');

function expectPattern(bytes: Uint8Array, count: number) {
  const set = load(bytes);
  expect([set.count, set.height, set.width, set.channels]).toEqual([count, 32, 32, 3]);
  for (let n = 0; n < count; n++) {
    for (let h = 0; h < 32; h++) {
      for (let w = 0; w < 32; w++) {
        for (let c = 0; c < 3; c++) {
          if (set.images[((n * 32 + h) * 32 + w) * 3 + c] !== pixel(h, w, c, n)) throw new Error(`pixel ${n},${h},${w},${c}`);
        }
      }
    }
  }
  expect([...set.labels]).toEqual(Array.from({ length: count }, (_, n) => ((n % 10) + 1) % 10));
}

describe('SVHN .mat files', () => {
  it.each([
    { file: 'scipy, compressed, y double', bytes: train, count: 20 },
    { file: 'scipy, uncompressed, y uint8', bytes: test, count: 4 },
    { file: 'scipy, compressed, y int32', bytes: extra, count: 3 },
    { file: 'MATLAB style: y double stored as miUINT8', bytes: writeMat([X(2), y([1, 2], 6, 2)], { compress: true }), count: 2 },
    { file: 'big-endian', bytes: writeMat([X(2), y([1, 2])], { bigEndian: true }), count: 2 },
    { file: 'big-endian, compressed', bytes: writeMat([X(3), y([1, 2, 3], 6, 4)], { bigEndian: true, compress: true }), count: 3 },
    { file: 'one image, trailing singleton dropped', bytes: writeMat([X(1, [32, 32, 3]), y([1])]), count: 1 },
  ])('reads $file in HWC order with 10 as digit 0', ({ bytes, count }) => expectPattern(bytes, count));

  it('matches the official names and opens any subset as splits', async () => {
    const files = new Map([
      ['svhn/train_32x32.mat', train],
      ['svhn/extra_32x32.mat', extra],
      ['svhn/README', new Uint8Array(1)],
    ]);
    const tree = memoryTree('svhn', files);
    expect(svhnMat.match(await tree.list())).toBe(true);
    expect(svhnMat.match([{ path: 'train.mat', size: 9 }])).toBe(false);
    const fractions: number[] = [];
    const loaded = await svhnMat.open(tree, { onProgress: (f) => fractions.push(f) });
    expect(Object.keys(loaded.splits).sort()).toEqual(['extra', 'train']);
    expect(loaded.splits.train.count).toBe(20);
    expect(loaded.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(fractions.at(-1)).toBeCloseTo(1);
    // Reading twice gives the same pixels: the reader never rewrites the caller's bytes.
    const again = await svhnMat.open(memoryTree('svhn', new Map([['test_32x32.mat', test]])));
    const third = await svhnMat.open(memoryTree('svhn', new Map([['test_32x32.mat', test]])));
    expect(third.splits.test.images).toEqual(again.splits.test.images);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(svhnMat.open(memoryTree('svhn', new Map([['train_32x32.mat', train]])), { signal: controller.signal })).rejects.toThrow(/abort/i);
  });

  const version = (v: number) => {
    const b = test.slice();
    b[124] = v & 0xff;
    b[125] = v >> 8;
    return b;
  };
  const flipLast = () => {
    const b = train.slice();
    b[b.length - 1] ^= 0xff;
    return b;
  };
  const flipBlockType = () => {
    const b = train.slice();
    b[138] = 0x07;
    return b;
  }; // 128 + 8 tag + 2 zlib header: BTYPE 11
  it.each([
    { file: 'shorter than the header', bytes: train.subarray(0, 100), error: /f.mat: not a MAT v5 file: 100 bytes/ },
    { file: 'no endian indicator', bytes: new Uint8Array(200), error: /f.mat: not a MAT v5 file: the endian indicator at byte 126/ },
    { file: 'MATLAB 7.3 (HDF5)', bytes: version(0x0200), error: /f.mat: a MATLAB 7.3 \(HDF5\) file/ },
    { file: 'unknown version', bytes: version(0x0300), error: /f.mat: MAT version 0x300 at byte 124/ },
    {
      file: 'truncated compressed file',
      bytes: train.subarray(0, 1000),
      error: /f.mat: truncated: the data element at byte 128 \(type 15\) claims \d+ bytes, only 864 remain/,
    },
    { file: 'truncated plain file', bytes: test.subarray(0, 5000), error: /f.mat: truncated: the data element at byte 128 \(type 14\)/ },
    { file: 'invalid deflate block', bytes: flipBlockType(), error: /f.mat: corrupt compressed element at byte 128: invalid block type/ },
    { file: 'checksum flipped', bytes: flipLast(), error: /f.mat: corrupt compressed element at byte \d+: Adler-32 checksum mismatch/ },
    { file: 'no y', bytes: writeMat([X(1)]), error: /f.mat: no variable 'y' \(variables found: 'X'\)/ },
    { file: 'no X', bytes: writeMat([y([1])]), error: /f.mat: no variable 'X' \(variables found: 'y'\)/ },
    { file: 'grey X', bytes: writeMat([{ ...X(1), dims: [32, 32, 1, 3] }, y([1, 2, 3])]), error: /f.mat: X is 32x32x1x3 uint8; expected 32x32x3xN images/ },
    { file: '28x28 X', bytes: writeMat([{ ...X(1), dims: [28, 28, 3, 1], values: new Array(28 * 28 * 3).fill(0) }, y([1])]), error: /X is 28x28x3x1/ },
    { file: 'label 11', bytes: writeMat([X(3), y([1, 11, 2])], { compress: true }), error: /f.mat: label 11 of record 1 is out of range 1..10/ },
    { file: 'label 2.5', bytes: writeMat([X(1), y([2.5])]), error: /label 2.5 of record 0/ },
    { file: 'label count', bytes: writeMat([X(2), y([1, 2, 3])]), error: /f.mat: y has 3 labels for the 2 images in X/ },
    { file: 'X as cell', bytes: writeMat([{ ...X(1), classCode: 1 }, y([1])]), error: /f.mat: 'X' is a cell array, not numeric/ },
    {
      file: 'X bytes short',
      bytes: writeMat([{ ...X(1), dims: [32, 32, 3, 2] }, y([1, 2])]),
      error: /f.mat: matrix at byte 128: 'X' is 32x32x3x2 \(6144 values\) but holds 3072 bytes/,
    },
    {
      file: 'X double beyond 255',
      bytes: writeMat([{ ...X(1), classCode: 6, storage: 9, values: [300, ...pixels(1).slice(1)] }, y([1])]),
      error: /f.mat: 'X' value 300 at index 0 is not a byte/,
    },
  ])('names the file and the fault: $file', ({ bytes, error }) => {
    expect(() => load(bytes)).toThrow(error);
    expect(() => load(bytes)).toThrow(DatasetFormatError);
  });

  it('fails cleanly, never with a RangeError, whatever byte is damaged or wherever the file ends', () => {
    for (const source of [train, extra, test]) {
      for (let at = 0; at < source.length; at += source === test ? 97 : 1) {
        const damaged = source.slice();
        damaged[at] ^= 0x5a;
        try {
          load(damaged);
        } catch (error) {
          if (!(error instanceof DatasetFormatError)) throw new Error(`byte ${at}: ${String(error)}`);
        }
        expect(() => load(source.subarray(0, at))).toThrow(DatasetFormatError);
      }
    }
  });
});
