import type * as tfl from '@tensorflow/tfjs-layers';
import { exportTfjs } from '../models/io/export-tfjs.js';
import type { RunHost } from './run-inputs.js';

/** Two weight files taken in turn: model.json keeps naming the complete one until the new one is on disk. */
const SLOTS = ['weights-a.bin', 'weights-b.bin'] as const;

export interface CheckpointInfo {
  stage: string;
  /** Epochs finished, 1-based. */
  epoch: number;
  epochs: number;
}

export type SaveCheckpoint = (model: tfl.LayersModel, info: CheckpointInfo) => Promise<string>;

/**
 * The latest checkpoint of one training stage as a tfjs layers model in `folder` (loadable as any model
 * file). Each file is written atomically by the host, the weights first: model.json, renamed into place
 * last, is the commit, so a crash leaves the previous checkpoint whole. Returns the model.json path.
 */
export function checkpointSaver(folder: string, writeFiles: NonNullable<RunHost['writeFiles']>): SaveCheckpoint {
  let saved = 0;
  return async (model, info) => {
    const [json, shard] = await exportTfjs(model);
    const weights = SLOTS[saved % 2];
    const manifest = JSON.parse(new TextDecoder().decode(json.bytes)) as { weightsManifest: { paths: string[] }[] } & Record<string, unknown>;
    manifest.weightsManifest[0].paths = [weights];
    manifest.pruneflowCheckpoint = info;
    await writeFiles(folder, [{ name: weights, bytes: shard.bytes }]);
    const [written] = await writeFiles(folder, [{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(manifest)) }]);
    saved++;
    return written;
  };
}

/** The stage's folder inside the run's checkpoint folder ("fine-tuning" -> <dir>/fine-tuning). */
export function checkpointFolder(dir: string, stage: string): string {
  return `${dir.replace(/[\\/]+$/, '')}/${stage.replace(/[^a-z0-9-]+/gi, '-')}`;
}
