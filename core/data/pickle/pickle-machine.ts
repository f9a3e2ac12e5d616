import type { PickleReader } from './pickle-reader.js';
import { describe, PickleDict, type PickleValue } from './pickle-values.js';

/** The unpickler's state: the stack, the marks that split it, and the memo. */
export class PickleMachine {
  private stack: PickleValue[] = [];
  private readonly marks: PickleValue[][] = [];
  private readonly memo = new Map<number, PickleValue>();
  result: PickleValue | undefined;
  stopped = false;

  constructor(readonly reader: PickleReader) {}

  push(value: PickleValue): void {
    this.stack.push(value);
  }

  pop(): PickleValue {
    if (this.stack.length === 0) this.reader.fail('stack underflow');
    return this.stack.pop() as PickleValue;
  }

  top(): PickleValue {
    if (this.stack.length === 0) this.reader.fail('stack underflow');
    return this.stack[this.stack.length - 1];
  }

  mark(): void {
    this.marks.push(this.stack);
    this.stack = [];
  }

  /** The items pushed since the last MARK, which is removed. */
  popMark(): PickleValue[] {
    const items = this.stack;
    this.stack = this.marks.pop() ?? this.reader.fail('no MARK to pop to');
    return items;
  }

  /** POP: an empty stack above a mark pops the mark (as CPython does). */
  discard(): void {
    if (this.stack.length > 0) this.stack.pop();
    else this.popMark();
  }

  topList(): PickleValue[] {
    const list = this.top();
    return Array.isArray(list) ? list : this.reader.fail(`expected a list below the items, found ${describe(list)}`);
  }

  topDict(): PickleDict {
    const dict = this.top();
    return dict instanceof PickleDict ? dict : this.reader.fail(`expected a dict below the items, found ${describe(dict)}`);
  }

  put(index: number): void {
    this.memo.set(index, this.top());
  }

  memoize(): void {
    this.memo.set(this.memo.size, this.top());
  }

  get(index: number): void {
    if (!this.memo.has(index)) this.reader.fail(`memo entry ${index} was never stored`);
    this.push(this.memo.get(index) as PickleValue);
  }
}
