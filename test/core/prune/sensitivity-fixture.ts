import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { type Batch, makeBatch } from '../../../core/data/batches.js';
import { loadBuiltinSample } from '../../../core/data/builtin-sample.js';
import { channelStatistics } from '../../../core/data/image-dataset.js';
import { takeRecords } from '../../../core/data/splits.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { readAsset } from '../../../core/node/assets.js';
import { fit } from '../../../core/train/fit.js';

export interface SensitivityFixture {
  /** The demo CNN after one epoch on 1,000 sample images. */
  model: tfl.LayersModel;
  /** 256 other training images, in two batches. */
  evalBatches: Batch[];
  dispose(): void;
}

/** A trained demo CNN on wasm and a fixed evaluation subset of the built-in sample. */
export async function sensitivityFixture(): Promise<SensitivityFixture> {
  await wasmCandidate.load();
  const { train } = await loadBuiltinSample(readAsset);
  const fitData = takeRecords(
    train,
    Int32Array.from({ length: 1000 }, (_, i) => i),
  );
  const evalData = takeRecords(
    train,
    Int32Array.from({ length: 256 }, (_, i) => 1000 + i),
  );
  const norm = channelStatistics(fitData);
  const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 2 });
  await fit(model, fitData, norm, { epochs: 1, batchSize: 50, learningRate: 3e-3, seed: 3, stage: 'test' });
  const evalBatches = [0, 1].map((b) =>
    makeBatch(
      evalData,
      Int32Array.from({ length: 128 }, (_, i) => b * 128 + i),
      norm,
    ),
  );
  return { model, evalBatches, dispose: () => (model.dispose(), tf.dispose(evalBatches.flatMap((b) => [b.x, b.y]))) };
}
