/**
 * What an unpickled file becomes. Plain data maps to plain JavaScript (lists and tuples to arrays,
 * Python 2 `str` and `bytes` to Uint8Array); the few classes on the allow-list become inert
 * placeholder objects that only hold data.
 */
export type PickleValue = null | boolean | number | bigint | string | Uint8Array | PickleValue[] | PickleDict | PickleObject;

/** Reports a fault at the current opcode; never returns. */
export type Fail = (detail: string) => never;

/** An allow-listed object built by REDUCE; BUILD hands it its state. */
export abstract class PickleObject {
  abstract readonly typeName: string;
  build(_state: PickleValue, fail: Fail): void {
    fail(`cannot set the state of a ${this.typeName}`);
  }
}

/** A reference to a Python class or function (GLOBAL); only calling it through the allow-list does anything. */
export class PickleGlobal extends PickleObject {
  readonly typeName = 'global';
  constructor(
    readonly module: string,
    readonly name: string,
  ) {
    super();
  }
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * A Python dict. Keys keep their order; `get` finds a str key and the same key written as bytes
 * alike, since Python 2 pickles store `'data'` as a byte string.
 */
export class PickleDict {
  readonly entries: [PickleValue, PickleValue][] = [];
  private readonly index = new Map<string, number>();

  set(key: PickleValue, value: PickleValue): void {
    const id = keyId(key);
    const at = id === undefined ? undefined : this.index.get(id);
    if (at !== undefined) {
      this.entries[at][1] = value;
      return;
    }
    if (id !== undefined) this.index.set(id, this.entries.length);
    this.entries.push([key, value]);
  }

  get(key: string): PickleValue | undefined {
    const at = this.index.get(`s:${key}`);
    return at === undefined ? undefined : this.entries[at][1];
  }

  keys(): string[] {
    return this.entries.map(([key]) => textOf(key) ?? String(key));
  }
}

function keyId(key: PickleValue): string | undefined {
  if (typeof key === 'number' || typeof key === 'bigint') return `n:${key}`;
  const text = textOf(key);
  return text === undefined ? undefined : `s:${text}`;
}

/** A str as is, a byte string as Latin-1 (how Python 2 strings come back); anything else undefined. */
export function textOf(value: PickleValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return latin1(value);
  return undefined;
}

export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}

/** Python's name for a value's type, for messages ("expected a list, found dict"). */
export function describe(value: PickleValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'string') return 'str';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'list';
  if (value instanceof PickleDict) return 'dict';
  return value.typeName;
}
