import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NumpyArray, numbersOf } from '../../../core/data/pickle/numpy-objects.js';
import { PickleDict, textOf, type PickleValue } from '../../../core/data/pickle/pickle-values.js';
import { unpickle } from '../../../core/data/pickle/unpickle.js';

// Fixtures from test/fixtures/cifar/make_fixtures.py (Python 3 pickle, protocols 0-4, and a Python 2 style one).
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../fixtures/cifar/pickles/${name}`, import.meta.url)));

function dictOf(value: PickleValue): PickleDict {
  expect(value).toBeInstanceOf(PickleDict);
  return value as PickleDict;
}

const fail = (detail: string): never => {
  throw new Error(detail);
};

describe('unpickle', () => {
  it.each([0, 1, 2, 3, 4])('reads plain values and numpy arrays written with protocol %i', (protocol) => {
    const values = dictOf(unpickle(fixture(`values-p${protocol}.pkl`), 'values.pkl'));
    expect(values.get('ints')).toEqual([0, 1, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31 - 1, 2 ** 40]);
    expect(values.get('big')).toBe(2n ** 70n);
    expect(values.get('negbig')).toBe(-(2n ** 70n));
    expect(values.get('float')).toBe(1.5);
    expect(values.get('text')).toBe('h\u00e9llo \u2713');
    expect([...(values.get('bytes') as Uint8Array)]).toEqual([0, 0x7f, 0x80, 0xff]);
    expect([...(values.get('empty') as Uint8Array)]).toEqual([]);
    expect(values.get('tuple')).toEqual([1, 'two', null]);
    const nested = dictOf(values.get('nested') as PickleValue);
    expect(nested.get('flags')).toEqual([null, true, false]);
    expect(nested.entries.find(([key]) => key === 3)?.[1]).toBe('int key');
    const [first, second] = values.get('same') as PickleValue[];
    expect(first).toBe(second); // the memo keeps shared references shared
    expect(values.get('set')).toEqual([7]);
    expect(values.get('scalar')).toBe(9);
    const array = values.get('array') as NumpyArray;
    expect(array).toBeInstanceOf(NumpyArray);
    expect([array.shape, array.dtype?.descr, [...array.data]]).toEqual([[2, 3], 'u1', [0, 1, 2, 3, 4, 5]]);
    const int64 = values.get('int64') as NumpyArray;
    expect(numbersOf(int64.dtype!, int64.data, fail)).toEqual([1, -2]);
  });

  it('finds Python 2 byte-string keys by their text', () => {
    const values = dictOf(unpickle(fixture('values-py2.pkl'), 'py2.pkl'));
    expect(values.keys()).toEqual(['label_names', 'n']);
    expect((values.get('label_names') as PickleValue[]).map((name) => textOf(name))).toEqual(['cat']);
    expect(values.get('n')).toBe(3);
  });

  it('keeps numpy pixel data as a view into the file, not a copy', () => {
    const bytes = fixture('test_batch-py3-p4');
    const data = dictOf(unpickle(bytes, 'b')).get('data') as NumpyArray;
    expect(data.data.buffer).toBe(bytes.buffer);
  });

  const valid = fixture('values-p2.pkl');
  it.each([
    {
      name: 'a global outside the allow-list',
      bytes: fixture('evil.pkl'),
      error: /evil.pkl: pickle GLOBAL at byte 2: refers to 'posix.system', which Pruneflow does not load/,
    },
    { name: 'an unknown opcode', bytes: Uint8Array.of(0x80, 2, 0xff), error: /evil.pkl: pickle byte 2: unknown opcode 0xff/ },
    { name: 'garbage', bytes: new TextEncoder().encode('<html>not a pickle'), error: /evil.pkl: pickle byte 0: unknown opcode 0x3c/ },
    { name: 'an empty file', bytes: new Uint8Array(0), error: /evil.pkl: pickle byte 0: the file is empty/ },
    {
      name: 'a truncated file',
      bytes: valid.subarray(0, 100),
      error: /evil.pkl: pickle \w+ at byte \d+: truncated: needs \d+ bytes from byte \d+, only \d+ remain/,
    },
    {
      name: 'no STOP',
      bytes: valid.subarray(0, valid.length - 1),
      error: new RegExp(`pickle byte ${valid.length - 1}: truncated: the file ends before the STOP opcode`),
    },
    { name: 'a stack underflow', bytes: Uint8Array.of(0x80, 2, 0x52, 0x2e), error: /pickle REDUCE at byte 2: stack underflow/ },
    { name: 'a persistent id', bytes: new TextEncoder().encode('Pabc\n.'), error: /pickle byte 0: opcode PERSID is not supported/ },
    {
      name: 'an object instance',
      bytes: new TextEncoder().encode('(i__main__\nThing\n.'),
      error: /pickle INST at byte 1: creates an instance of '__main__.Thing'/,
    },
    { name: 'a memo miss', bytes: Uint8Array.of(0x80, 2, 0x68, 5, 0x2e), error: /pickle BINGET at byte 2: memo entry 5 was never stored/ },
    { name: 'a negative length', bytes: Uint8Array.of(0x54, 0xff, 0xff, 0xff, 0xff, 0x2e), error: /pickle BINSTRING at byte 0: negative length -1/ },
  ])('refuses $name and says where', ({ bytes, error }) => {
    expect(() => unpickle(bytes, 'evil.pkl')).toThrow(error);
    try {
      unpickle(bytes, 'evil.pkl');
    } catch (e) {
      expect((e as Error).name).toBe('DatasetFormatError');
    }
  });
});
