import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { writeFilesAtomically } from '../../core/node/write-files.js';
import type { QualityBudget } from './quality-config.js';
import type { TorchQuality } from './quality-torch.js';

/** One finished cell of the table: a method at a FLOPs cut and a seed. */
export interface QualityCell {
  method: string;
  cut: number;
  seed: number;
  accuracy: number;
  baselineAccuracy: number;
  pruneOnlyAccuracy: number;
  parameters: number;
  baselineParameters: number;
  flops: number;
  baselineFlops: number;
  latencyMs: number;
  baselineLatencyMs: number;
  latencyBatch: number;
  seconds: number;
  /** 1-minute load average when the cell ended: the machine is shared. */
  loadAverage: number;
  finishedAt: string;
}

export interface BaselineFacts {
  accuracy: number;
  parameters: number;
  flops: number;
  seconds: number;
  trainedAt: string;
  recipe: QualityBudget['baseline'] & { optimizer: string; schedule: string; augmentation: string; trainer: string };
}

export interface QualityResults {
  /** The budget the cells were measured with: a rerun with another budget must not mix with them. */
  budget: QualityBudget;
  baseline?: BaselineFacts;
  torch?: TorchQuality;
  cells: QualityCell[];
  /** Runs that threw: reported, and tried again by the next run. */
  failures?: { method: string; cut: number; seed: number; error: string }[];
}

export class QualityResultsMismatchError extends Error {
  override name = 'QualityResultsMismatchError';
}

export const cellKey = (method: string, cut: number, seed: number) => `${method}@${cut}#${seed}`;

/** Finished cells are kept in a JSON file, so an interrupted run picks up where it stopped. */
export class QualityStore {
  readonly results: QualityResults;

  constructor(
    readonly path: string,
    budget: QualityBudget,
  ) {
    if (!existsSync(path)) {
      this.results = { budget, cells: [] };
      return;
    }
    const stored = JSON.parse(readFileSync(path, 'utf8')) as QualityResults;
    if (JSON.stringify(stored.budget) !== JSON.stringify(budget)) {
      throw new QualityResultsMismatchError(`${path} holds results measured with another budget; move it away to start afresh`);
    }
    this.results = stored;
  }

  has(method: string, cut: number, seed: number): boolean {
    return this.results.cells.some((c) => cellKey(c.method, c.cut, c.seed) === cellKey(method, cut, seed));
  }

  async add(cell: QualityCell): Promise<void> {
    this.results.cells.push(cell);
    this.results.failures = this.results.failures?.filter((f) => cellKey(f.method, f.cut, f.seed) !== cellKey(cell.method, cell.cut, cell.seed));
    await this.save();
  }

  async fail(method: string, cut: number, seed: number, error: string): Promise<void> {
    this.results.failures = [
      ...(this.results.failures ?? []).filter((f) => cellKey(f.method, f.cut, f.seed) !== cellKey(method, cut, seed)),
      { method, cut, seed, error },
    ];
    await this.save();
  }

  async save(): Promise<void> {
    const bytes = new TextEncoder().encode(`${JSON.stringify(this.results, null, 1)}\n`);
    await writeFilesAtomically(dirname(this.path), [{ name: basename(this.path), bytes }]);
  }
}
