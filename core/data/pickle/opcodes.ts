import { callGlobal, resolveGlobal } from './allowed-globals.js';
import type { PickleMachine } from './pickle-machine.js';
import type { PickleReader } from './pickle-reader.js';
import { describe, latin1, PickleDict, PickleGlobal, PickleObject, type PickleValue } from './pickle-values.js';
import { parseFloatLine, parseIntegerLine, parseQuotedString, parseRawUnicode, shrink } from './text-literals.js';

/** The opcodes of pickle protocols 0-5 that carry data; code-running ones refuse with a message. */
type Run = (m: PickleMachine, r: PickleReader) => void;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(r: PickleReader, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return r.fail('text is not valid UTF-8');
  }
}

/** LONG1/LONG4: little-endian two's complement. Data sets hold no huge ints; a crafted one would be slow. */
function long(r: PickleReader, bytes: Uint8Array): number | bigint {
  if (bytes.length > 256) r.fail(`an integer of ${bytes.length} bytes is too large`);
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  if (bytes.length > 0 && bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return shrink(value);
}

function pushAll(items: PickleValue[], target: PickleValue[]): void {
  for (const item of items) target.push(item);
}

function dictOf(items: PickleValue[], dict: PickleDict, r: PickleReader): PickleDict {
  if (items.length % 2 !== 0) r.fail(`odd number of items (${items.length}) for a dict`);
  for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  return dict;
}

function refuseInstance(r: PickleReader, type: PickleValue): never {
  const name = type instanceof PickleGlobal ? type.qualifiedName : describe(type);
  return r.fail(`creates an instance of '${name}', which Pruneflow does not load (only numpy arrays and plain data)`);
}

const line = (r: PickleReader): string => latin1(r.line());

const OPS: [string, string | number, Run][] = [
  [
    'PROTO',
    0x80,
    (_m, r) => {
      const version = r.u8();
      if (version > 5) r.fail(`protocol ${version} is newer than 5`);
    },
  ],
  ['FRAME', 0x95, (_m, r) => void r.u64()],
  ['STOP', '.', (m) => ((m.result = m.pop()), (m.stopped = true))],
  ['MARK', '(', (m) => m.mark()],
  ['POP', '0', (m) => m.discard()],
  ['POP_MARK', '1', (m) => void m.popMark()],
  ['DUP', '2', (m) => m.push(m.top())],
  ['NONE', 'N', (m) => m.push(null)],
  ['NEWTRUE', 0x88, (m) => m.push(true)],
  ['NEWFALSE', 0x89, (m) => m.push(false)],
  ['INT', 'I', (m, r) => m.push(parseIntegerLine(r.line(), r.fail))],
  ['BININT', 'J', (m, r) => m.push(r.i32())],
  ['BININT1', 'K', (m, r) => m.push(r.u8())],
  ['BININT2', 'M', (m, r) => m.push(r.u16())],
  ['LONG', 'L', (m, r) => m.push(parseIntegerLine(r.line(), r.fail))],
  ['LONG1', 0x8a, (m, r) => m.push(long(r, r.take(r.u8())))],
  ['LONG4', 0x8b, (m, r) => m.push(long(r, r.sized(r.i32())))],
  ['FLOAT', 'F', (m, r) => m.push(parseFloatLine(r.line(), r.fail))],
  ['BINFLOAT', 'G', (m, r) => m.push(r.f64())],
  // Python 2 `str` is bytes: the CIFAR pickles keep their keys and pixel data this way.
  ['STRING', 'S', (m, r) => m.push(parseQuotedString(r.line(), r.fail))],
  ['BINSTRING', 'T', (m, r) => m.push(r.sized(r.i32()))],
  ['SHORT_BINSTRING', 'U', (m, r) => m.push(r.take(r.u8()))],
  ['BINBYTES', 'B', (m, r) => m.push(r.take(r.u32()))],
  ['SHORT_BINBYTES', 'C', (m, r) => m.push(r.take(r.u8()))],
  ['BINBYTES8', 0x8e, (m, r) => m.push(r.take(r.u64()))],
  ['BYTEARRAY8', 0x96, (m, r) => m.push(r.take(r.u64()))],
  ['UNICODE', 'V', (m, r) => m.push(parseRawUnicode(r.line(), r.fail))],
  ['BINUNICODE', 'X', (m, r) => m.push(text(r, r.take(r.u32())))],
  ['SHORT_BINUNICODE', 0x8c, (m, r) => m.push(text(r, r.take(r.u8())))],
  ['BINUNICODE8', 0x8d, (m, r) => m.push(text(r, r.take(r.u64())))],
  ['EMPTY_LIST', ']', (m) => m.push([])],
  ['LIST', 'l', (m) => m.push(m.popMark())],
  // Arguments run left to right: the items are popped before the list under them is looked at.
  ['APPEND', 'a', (m) => pushAll([m.pop()], m.topList())],
  ['APPENDS', 'e', (m) => pushAll(m.popMark(), m.topList())],
  ['EMPTY_TUPLE', ')', (m) => m.push([])],
  ['TUPLE', 't', (m) => m.push(m.popMark())],
  ['TUPLE1', 0x85, (m) => m.push([m.pop()])],
  ['TUPLE2', 0x86, (m) => m.push([m.pop(), m.pop()].reverse())],
  ['TUPLE3', 0x87, (m) => m.push([m.pop(), m.pop(), m.pop()].reverse())],
  ['EMPTY_DICT', '}', (m) => m.push(new PickleDict())],
  ['DICT', 'd', (m, r) => m.push(dictOf(m.popMark(), new PickleDict(), r))],
  ['SETITEM', 's', (m, r) => dictOf([m.pop(), m.pop()].reverse(), m.topDict(), r)],
  ['SETITEMS', 'u', (m, r) => dictOf(m.popMark(), m.topDict(), r)],
  ['EMPTY_SET', 0x8f, (m) => m.push([])],
  ['ADDITEMS', 0x90, (m) => pushAll(m.popMark(), m.topList())],
  ['FROZENSET', 0x91, (m) => m.push(m.popMark())],
  ['GLOBAL', 'c', (m, r) => m.push(resolveGlobal(line(r), line(r), r.fail))],
  [
    'STACK_GLOBAL',
    0x93,
    (m: PickleMachine, r: PickleReader) => {
      const name = m.pop();
      const module = m.pop();
      if (typeof module !== 'string' || typeof name !== 'string') r.fail('module and name must be str');
      m.push(resolveGlobal(module, name, r.fail));
    },
  ],
  [
    'REDUCE',
    'R',
    (m, r) => {
      const args = m.pop();
      m.push(callGlobal(m.pop(), args, r.fail));
    },
  ],
  [
    'BUILD',
    'b',
    (m: PickleMachine, r: PickleReader) => {
      const state = m.pop();
      const target = m.top();
      if (!(target instanceof PickleObject)) r.fail(`cannot set the state of a ${describe(target)}`);
      target.build(state, r.fail);
    },
  ],
  [
    'NEWOBJ',
    0x81,
    (m, r) => {
      m.pop();
      refuseInstance(r, m.pop());
    },
  ],
  [
    'NEWOBJ_EX',
    0x92,
    (m, r) => {
      m.pop();
      m.pop();
      refuseInstance(r, m.pop());
    },
  ],
  ['OBJ', 'o', (m, r) => refuseInstance(r, m.popMark()[0] ?? null)],
  ['INST', 'i', (_m, r) => refuseInstance(r, new PickleGlobal(line(r), line(r)))],
  ['PUT', 'p', (m, r) => m.put(Number(parseIntegerLine(r.line(), r.fail)))],
  ['BINPUT', 'q', (m, r) => m.put(r.u8())],
  ['LONG_BINPUT', 'r', (m, r) => m.put(r.u32())],
  ['MEMOIZE', 0x94, (m) => m.memoize()],
  ['GET', 'g', (m, r) => m.get(Number(parseIntegerLine(r.line(), r.fail)))],
  ['BINGET', 'h', (m, r) => m.get(r.u8())],
  ['LONG_BINGET', 'j', (m, r) => m.get(r.u32())],
  ['READONLY_BUFFER', 0x98, () => undefined],
];

export interface Opcode {
  name: string;
  run: Run;
}

/** Indexed by opcode byte; a hole is an opcode this reader refuses (PERSID, EXT1, NEXT_BUFFER, ...). */
export const OPCODES: (Opcode | undefined)[] = new Array<Opcode | undefined>(256).fill(undefined);
for (const [name, code, run] of OPS) OPCODES[typeof code === 'string' ? code.charCodeAt(0) : code] = { name, run };
