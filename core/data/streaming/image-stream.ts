import type { FileTree } from '../file-tree.js';
import type { ImageDecoder, RecordShape } from './decode-record.js';
import { RecordCache } from './record-cache.js';

/** What a streamed data set's cache holds now and at most, against its budget (bytes). */
export interface StreamUsage {
  bytes: number;
  peak: number;
  records: number;
  budget: number;
  /** Files decoded so far (a record read again after it left the cache counts again). */
  decoded: number;
}

/**
 * The images of a data set too large to hold decoded: read from their files as they are needed, decoded by
 * an ImageDecoder (worker threads in Node) and kept in a cache of uint8 records at the model's input size up
 * to a byte budget. Labels stay in memory; only pixels stream.
 */
export interface ImageStream {
  /** The records at `indices` (this data set's numbering), one after another: N x H x W x C uint8. */
  read(indices: ArrayLike<number>): Promise<Uint8Array>;
  /** Starts reading these records so that a later `read` finds them decoded; returns at once. */
  prefetch(indices: ArrayLike<number>): void;
  /** The records at `indices` as a stream of their own (a split, a sample): same files, decoder and cache. */
  subset(indices: ArrayLike<number>): ImageStream;
  /** The same images decoded at another shape (the model's input); the cache is shared. */
  reshaped(shape: RecordShape): ImageStream;
  readonly usage: StreamUsage;
}

/** Records being read at once per decoding thread: enough to keep each thread busy while files are read. */
const IN_FLIGHT_PER_THREAD = 4;
const SHAPE_STRIDE = 2 ** 32;

/** Files, decoder, cache and the reads in flight, shared by every stream cut from one data set. */
class StreamFiles {
  readonly cache: RecordCache;
  private readonly inFlight = new Map<number, Promise<Uint8Array>>();
  private readonly shapes = new Map<string, number>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  decoded = 0;

  constructor(
    readonly tree: FileTree,
    readonly paths: readonly string[],
    readonly decoder: ImageDecoder,
    budget: number,
  ) {
    this.cache = new RecordCache(budget);
  }

  shapeId(shape: RecordShape): number {
    const name = `${shape.height}x${shape.width}x${shape.channels}`;
    let id = this.shapes.get(name);
    if (id === undefined) this.shapes.set(name, (id = this.shapes.size));
    return id;
  }

  /** The record of file `file` at `shape`: from the cache, from a read already under way, or read now. */
  load(file: number, shape: RecordShape, shapeId: number): Promise<Uint8Array> {
    const key = shapeId * SHAPE_STRIDE + file;
    const cached = this.cache.get(key);
    if (cached) return Promise.resolve(cached);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.limited(async () => {
        const path = this.paths[file];
        const record = await this.decoder.decode(await this.tree.read(path), path, shape);
        this.decoded++;
        return record;
      }).then(
        (record) => {
          this.inFlight.delete(key);
          this.cache.put(key, record);
          return record;
        },
        (error: unknown) => {
          this.inFlight.delete(key);
          throw error;
        },
      );
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.decoder.threads * IN_FLIGHT_PER_THREAD) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

class FileImageStream implements ImageStream {
  private readonly shapeId: number;
  private readonly recordBytes: number;

  constructor(
    private readonly files: StreamFiles,
    /** This stream's record i is file files.paths[map[i]]. */
    private readonly map: Int32Array,
    private readonly shape: RecordShape,
  ) {
    this.shapeId = files.shapeId(shape);
    this.recordBytes = shape.height * shape.width * shape.channels;
  }

  async read(indices: ArrayLike<number>): Promise<Uint8Array> {
    const records = await Promise.all(Array.from(indices, (i) => this.files.load(this.file(i), this.shape, this.shapeId)));
    const out = new Uint8Array(records.length * this.recordBytes);
    records.forEach((record, i) => out.set(record, i * this.recordBytes));
    return out;
  }

  prefetch(indices: ArrayLike<number>): void {
    // A failure shows when the record is read; prefetching only starts the work.
    for (let i = 0; i < indices.length; i++) this.files.load(this.file(indices[i]), this.shape, this.shapeId).catch(() => undefined);
  }

  subset(indices: ArrayLike<number>): ImageStream {
    return new FileImageStream(
      this.files,
      Int32Array.from(indices, (i) => this.file(i)),
      this.shape,
    );
  }

  reshaped(shape: RecordShape): ImageStream {
    return new FileImageStream(this.files, this.map, shape);
  }

  get usage(): StreamUsage {
    return { ...this.files.cache.usage, decoded: this.files.decoded };
  }

  private file(index: number): number {
    if (!(index >= 0 && index < this.map.length)) throw new RangeError(`record ${index} of a streamed data set of ${this.map.length}`);
    return this.map[index];
  }
}

/**
 * A stream over image files of a tree, record i being `paths[i]`, decoded at `shape`, with a cache of at most
 * `budget` bytes shared by every subset and reshaped stream cut from it.
 */
export function streamImages(tree: FileTree, paths: readonly string[], shape: RecordShape, decoder: ImageDecoder, budget: number): ImageStream {
  return new FileImageStream(
    new StreamFiles(tree, paths, decoder, budget),
    Int32Array.from(paths, (_, i) => i),
    shape,
  );
}
