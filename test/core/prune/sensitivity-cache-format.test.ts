import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesOf, contentHash } from '../../../core/prune/sensitivity/content-hash.js';
import { decodeTable, encodeTable, SensitivityCacheError } from '../../../core/prune/sensitivity/table-codec.js';
import type { SensitivityTable } from '../../../core/prune/sensitivity/sensitivity-table.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

const TABLE: SensitivityTable = {
  baseline: 0.8,
  images: 500,
  ratios: [0.25, 0.5],
  rows: [
    {
      group: 1,
      layers: ['conv1'],
      channels: 16,
      trials: [
        { ratio: 0.25, kept: 12, accuracy: 0.78, drop: 0.02 },
        { ratio: 0.5, kept: 8, accuracy: 0.6, drop: 0.2 },
      ],
    },
  ],
};

describe('content hash', () => {
  it('is SHA-256 over the SHA-256 of each part (checked against Node crypto)', async () => {
    const parts = [new TextEncoder().encode('model'), bytesOf(Float32Array.of(1, 2, 3))];
    const expected = sha256(Buffer.concat(parts.map(sha256))).toString('hex');
    expect(await contentHash(['model', Float32Array.of(1, 2, 3)].map((p) => (typeof p === 'string' ? p : bytesOf(p))))).toBe(expected);
  });

  it('tells apart parts that only differ in where one ends', async () => {
    expect(await contentHash(['ab', 'c'])).not.toBe(await contentHash(['a', 'bc']));
    expect(await contentHash(['ab', 'c'])).toBe(await contentHash(['ab', 'c']));
  });
});

describe('cache entries', () => {
  it('round-trip a table under its key', () => {
    expect(decodeTable(encodeTable('sensitivity-1', TABLE), 'sensitivity-1')).toEqual(TABLE);
  });

  const entry = (patch: object) => new TextEncoder().encode(JSON.stringify({ format: 'pruneflow-sensitivity', version: 1, key: 'k', table: TABLE, ...patch }));
  it.each([
    ['truncated', new TextEncoder().encode('{"format":'), /not JSON/],
    ['not UTF-8', Uint8Array.of(0xff, 0xfe, 0x7b), /not JSON/],
    ['another format', entry({ format: 'other' }), /not a sensitivity table/],
    ['a newer version', entry({ version: 2 }), /format version 2, expected 1/],
    ['another key', entry({ key: 'other' }), /stored under another key/],
    ['an accuracy above 1', entry({ table: { ...TABLE, baseline: 1.5 } }), /incomplete or has values out of range/],
    ['a row without trials', entry({ table: { ...TABLE, rows: [{ group: 1, layers: [], channels: 16 }] } }), /incomplete/],
  ] as const)('refuse %s', (_, bytes, message) => {
    expect(() => decodeTable(bytes, 'k')).toThrow(SensitivityCacheError);
    expect(() => decodeTable(bytes, 'k')).toThrow(message);
  });
});
