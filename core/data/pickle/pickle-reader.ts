import { DatasetFormatError } from '../dataset-errors.js';

/** A cursor over pickle bytes that names the opcode's byte offset in every error. */
export class PickleReader {
  offset = 0;
  /** Where the opcode being run starts, for messages. */
  opcodeOffset = 0;
  opcodeName = '';
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  readonly fail: (detail: string) => never = (detail) => {
    const where = this.opcodeName ? `${this.opcodeName} at byte ${this.opcodeOffset}` : `byte ${this.opcodeOffset}`;
    throw new DatasetFormatError(this.file, `pickle ${where}: ${detail}`);
  };

  get atEnd(): boolean {
    return this.offset >= this.bytes.length;
  }

  /** The next n bytes as a view into the file (no copy). */
  take(n: number): Uint8Array {
    const remaining = this.bytes.length - this.offset;
    if (n > remaining) this.fail(`truncated: needs ${n} bytes from byte ${this.offset}, only ${remaining} remain`);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  u8(): number {
    return this.take(1)[0];
  }

  u16(): number {
    this.take(2);
    return this.view.getUint16(this.offset - 2, true);
  }

  u32(): number {
    this.take(4);
    return this.view.getUint32(this.offset - 4, true);
  }

  i32(): number {
    this.take(4);
    return this.view.getInt32(this.offset - 4, true);
  }

  /** An 8-byte length; lengths past 2^53 cannot be in memory anyway. */
  u64(): number {
    this.take(8);
    const value = this.view.getBigUint64(this.offset - 8, true);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : this.fail(`length ${value} is too large`);
  }

  f64(): number {
    this.take(8);
    return this.view.getFloat64(this.offset - 8, false);
  }

  /** A length-prefixed run whose length must not be negative (BINSTRING's is signed). */
  sized(length: number): Uint8Array {
    return length < 0 ? this.fail(`negative length ${length}`) : this.take(length);
  }

  /** The bytes up to the next newline (protocol 0 text), without it. */
  line(): Uint8Array {
    const end = this.bytes.indexOf(0x0a, this.offset);
    if (end < 0) this.fail(`truncated: no end of line after byte ${this.offset}`);
    const out = this.bytes.subarray(this.offset, end);
    this.offset = end + 1;
    return out;
  }
}
