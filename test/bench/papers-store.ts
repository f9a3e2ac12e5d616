import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { writeFilesAtomically } from '../../core/node/write-files.js';
import { jobKey, type PapersJob, type PapersProtocol } from './papers-config.js';

/** One finished run: accuracies as fractions of the test images, FLOPs as multiply-accumulates. */
export interface PapersRun extends PapersJob {
  baselineAccuracy: number;
  /** Before fine-tuning (right after pruning; for the parity pair, the pruned model both engines start from). */
  pruneOnlyAccuracy: number;
  accuracy: number;
  parameters: number;
  baselineParameters: number;
  flops: number;
  baselineFlops: number;
  seconds: number;
  secondsPerEpoch?: number;
  /** Pruneflow's training engines (data-parallel replicas on wasm; 1 = one engine, whole-batch batch-norm statistics). */
  replicas?: number;
  /** Kept output channels per convolution, where the engine reports them. */
  widths?: Record<string, number>;
  loadAverage: number;
  finishedAt: string;
}

export interface PapersBaseline {
  /** PyTorch's test accuracy and the converted model's in Pruneflow (the conversion check). */
  torchAccuracy: number;
  pruneflowAccuracy: number;
  /** Largest difference between the two engines' logits on the check images. */
  maxLogitDifference: number;
  parameters: number;
  flops: number;
  /** Null where the baseline was converted from a stored baseline.pt rather than trained. */
  secondsPerEpoch: number | null;
  torch: string;
  trainImages: number;
  testImages: number;
  trainedAt: string;
}

export interface PapersResults {
  /** The protocol the runs were measured with: a rerun with another must not mix with them. */
  protocol: PapersProtocol;
  baseline?: PapersBaseline;
  runs: PapersRun[];
  /** Runs that threw: reported, and tried again by the next start. */
  failures: (PapersJob & { error: string })[];
}

export class PapersResultsMismatchError extends Error {
  override name = 'PapersResultsMismatchError';
}

/** Every finished run is written as it ends, so an interrupted benchmark goes on where it stopped. */
export class PapersStore {
  readonly results: PapersResults;

  constructor(
    readonly path: string,
    protocol: PapersProtocol,
  ) {
    if (!existsSync(path)) {
      this.results = { protocol, runs: [], failures: [] };
      return;
    }
    const stored = JSON.parse(readFileSync(path, 'utf8')) as PapersResults;
    // More seeds or criteria keep every run made so far (runs are keyed by seed and criterion); a change of the
    // recipe (baseline, fine-tuning, data, cuts) makes them another protocol's.
    const recipe = ({ seeds: _seeds, pruneflow: _pruneflow, torchPruning: _torchPruning, ...rest }: PapersProtocol) => JSON.stringify(rest);
    if (recipe(stored.protocol) !== recipe(protocol)) {
      throw new PapersResultsMismatchError(`${path} holds runs of another protocol (${stored.protocol.mode}); move it away to start afresh`);
    }
    this.results = { ...stored, protocol };
  }

  has(job: PapersJob): boolean {
    return this.results.runs.some((r) => jobKey(r) === jobKey(job));
  }

  get(job: PapersJob): PapersRun | undefined {
    return this.results.runs.find((r) => jobKey(r) === jobKey(job));
  }

  async add(run: PapersRun): Promise<void> {
    this.results.runs = [...this.results.runs.filter((r) => jobKey(r) !== jobKey(run)), run];
    this.results.failures = this.results.failures.filter((f) => jobKey(f) !== jobKey(run));
    await this.save();
  }

  async fail(job: PapersJob, error: string): Promise<void> {
    this.results.failures = [...this.results.failures.filter((f) => jobKey(f) !== jobKey(job)), { ...job, error }];
    await this.save();
  }

  async setBaseline(baseline: PapersBaseline): Promise<void> {
    this.results.baseline = baseline;
    await this.save();
  }

  async save(): Promise<void> {
    const bytes = new TextEncoder().encode(`${JSON.stringify(this.results, null, 1)}\n`);
    await writeFilesAtomically(dirname(this.path), [{ name: basename(this.path), bytes }]);
  }
}
