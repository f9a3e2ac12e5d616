import fc from 'fast-check';

/**
 * Mutations of a valid file, as fast-check values: bit flips, byte writes, truncation, deletion,
 * insertion, splices of the file's own bytes, and length fields overwritten with values a parser must
 * not trust (0, 2^31, the file's length +- 1, ...). Positions are taken modulo the file's length, from
 * its start or its end (where zip directories and gzip trailers sit).
 */
export type Position = { fromEnd: boolean; offset: number };

export type Mutation =
  | { op: 'flip'; at: Position; bit: number }
  | { op: 'set'; at: Position; value: number }
  | { op: 'truncate'; at: Position }
  | { op: 'remove'; at: Position; length: number }
  | { op: 'insert'; at: Position; bytes: number[] }
  | { op: 'splice'; from: Position; length: number; to: Position }
  | { op: 'field'; at: Position; width: 1 | 2 | 4; littleEndian: boolean; value: FieldValue };

type FieldValue = number | 'length' | 'length+1' | 'length-1';

export interface Mutant {
  /** Which of the seed's files is changed (an index into its file list, modulo). */
  file: number;
  mutations: Mutation[];
}

const position: fc.Arbitrary<Position> = fc.record({
  fromEnd: fc.boolean(),
  // Headers sit near either end: half the positions fall in the first or last 64 bytes.
  offset: fc.oneof(fc.nat({ max: 64 }), fc.nat({ max: 1 << 30 })),
});

const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.constantFrom(...INTERESTING),
  fc.constantFrom<FieldValue>('length', 'length+1', 'length-1'),
  fc.nat({ max: 0xffffffff }),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), at: position, value: fc.nat({ max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: position }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), at: position, length: fc.integer({ min: 1, max: 256 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('insert' as const), at: position, bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 32 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('splice' as const), from: position, length: fc.integer({ min: 1, max: 512 }), to: position }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('field' as const),
      at: position,
      width: fc.constantFrom<1 | 2 | 4>(1, 2, 4),
      littleEndian: fc.boolean(),
      value: fieldValue,
    }),
  },
);

export const mutant: fc.Arbitrary<Mutant> = fc.record({ file: fc.nat({ max: 63 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }) });

function index(at: Position, length: number): number {
  if (length === 0) return 0;
  const offset = at.offset % length;
  return at.fromEnd ? length - 1 - offset : offset;
}

/** The seed with the mutations applied, in order; the seed itself is not changed. */
export function applyMutations(seed: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes: Uint8Array = seed.slice();
  for (const m of mutations) bytes = applyOne(bytes, m);
  return bytes;
}

function applyOne(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.length;
  switch (m.op) {
    case 'flip':
      if (n > 0) bytes[index(m.at, n)] ^= 1 << m.bit;
      return bytes;
    case 'set':
      if (n > 0) bytes[index(m.at, n)] = m.value;
      return bytes;
    case 'truncate':
      return bytes.subarray(0, index(m.at, n + 1));
    case 'remove': {
      const at = index(m.at, n);
      return concat(bytes.subarray(0, at), bytes.subarray(Math.min(n, at + m.length)));
    }
    case 'insert': {
      const at = index(m.at, n + 1);
      return concat(bytes.subarray(0, at), Uint8Array.from(m.bytes), bytes.subarray(at));
    }
    case 'splice': {
      if (n === 0) return bytes;
      const from = index(m.from, n);
      const chunk = bytes.slice(from, Math.min(n, from + m.length));
      const to = index(m.to, n + 1);
      return concat(bytes.subarray(0, to), chunk, bytes.subarray(to));
    }
    case 'field': {
      if (n < m.width) return bytes;
      const at = Math.min(index(m.at, n), n - m.width);
      const value = m.value === 'length' ? n : m.value === 'length+1' ? n + 1 : m.value === 'length-1' ? n - 1 : m.value;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (m.width === 1) view.setUint8(at, value & 0xff);
      else if (m.width === 2) view.setUint16(at, value & 0xffff, m.littleEndian);
      else view.setUint32(at, value >>> 0, m.littleEndian);
      return bytes;
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
