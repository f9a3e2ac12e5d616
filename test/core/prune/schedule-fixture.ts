import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { type Batch, makeBatch } from '../../../core/data/batches.js';
import { loadBuiltinSample } from '../../../core/data/builtin-sample.js';
import { channelStatistics, type ImageDataset, type Normalisation } from '../../../core/data/image-dataset.js';
import { takeRecords } from '../../../core/data/splits.js';
import { cip } from '../../../core/importance/cip.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { readAsset } from '../../../core/node/assets.js';
import type { ScheduleContext } from '../../../core/prune/schedules/index.js';
import { fit } from '../../../core/train/fit.js';
import type { TrainingGates } from '../../../core/train/gated-variables.js';

export interface Fixture {
  data: ImageDataset;
  norm: Normalisation;
  calibration: Batch[];
  /** The demo CNN after one epoch on `data`. */
  trained(): Promise<tfl.LayersModel>;
  context(overrides?: Partial<ScheduleContext>): ScheduleContext;
  dispose(): void;
}

/** A few hundred sample images on wasm, the demo CNN and a schedule context that trains with fit. */
export async function scheduleFixture(images = 384): Promise<Fixture> {
  await wasmCandidate.load();
  const { train } = await loadBuiltinSample(readAsset);
  const data = takeRecords(
    train,
    Int32Array.from({ length: images }, (_, i) => i * 7),
  );
  const norm = channelStatistics(data);
  const calibration = [0, 1].map((b) =>
    makeBatch(
      data,
      Int32Array.from({ length: 64 }, (_, i) => b * 64 + i),
      norm,
    ),
  );
  const train1 = (model: tfl.LayersModel, epochs: number, gates?: TrainingGates, onEpochEnd?: (epoch: number) => void | Promise<void>) =>
    fit(model, data, norm, { epochs, batchSize: 64, learningRate: 2e-3, seed: 3, stage: 'test', onEpochEnd, gates });
  return {
    data,
    norm,
    calibration,
    async trained() {
      const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 2 });
      await train1(model, 1);
      return model;
    },
    context: (overrides = {}) => ({
      criterion: cip,
      calibration,
      seed: 1,
      target: { metric: 'flops', reduction: 0.5, protect: 0.1 },
      ranking: 'global',
      train: async (model, o) => void (await train1(model, o.epochs, o.gates, o.onEpochEnd)),
      ...overrides,
    }),
    dispose: () => tf.dispose(calibration.flatMap((b) => [b.x, b.y])),
  };
}
