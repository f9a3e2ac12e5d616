/**
 * Decoded records (uint8, one image at the model's input size) by key, held up to a byte budget: the least
 * recently used go first when a new one needs room. It counts what it holds, so the budget can be checked.
 */
export class RecordCache {
  private readonly records = new Map<number, Uint8Array>();
  private held = 0;
  private highest = 0;

  constructor(readonly budget: number) {
    if (!(budget >= 0)) throw new RangeError(`a record cache's budget must be a number of bytes, got ${budget}`);
  }

  /** The record under `key`, now the most recently used; undefined when it is not held. */
  get(key: number): Uint8Array | undefined {
    const record = this.records.get(key);
    if (record) {
      this.records.delete(key);
      this.records.set(key, record);
    }
    return record;
  }

  has(key: number): boolean {
    return this.records.has(key);
  }

  /** Keeps a record, dropping the least recently used until it fits; one larger than the whole budget is not kept. */
  put(key: number, record: Uint8Array): void {
    const old = this.records.get(key);
    if (old) {
      this.records.delete(key);
      this.held -= old.length;
    }
    if (record.length > this.budget) return;
    for (const [oldest, bytes] of this.records) {
      if (this.held + record.length <= this.budget) break;
      this.records.delete(oldest);
      this.held -= bytes.length;
    }
    this.records.set(key, record);
    this.held += record.length;
    this.highest = Math.max(this.highest, this.held);
  }

  /** Bytes held now, the most ever held, and how many records. */
  get usage(): { bytes: number; peak: number; records: number; budget: number } {
    return { bytes: this.held, peak: this.highest, records: this.records.size, budget: this.budget };
  }

  clear(): void {
    this.records.clear();
    this.held = 0;
  }
}
