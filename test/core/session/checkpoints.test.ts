import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { makeBatch } from '../../../core/data/batches.js';
import { openModelSource } from '../../../core/node/open-model-source.js';
import { writeFilesAtomically } from '../../../core/node/write-files.js';
import { checkpointFolder } from '../../../core/session/checkpoints.js';
import { loadModel } from '../../../core/session/model-source.js';
import { stageCheckpoints } from '../../../core/session/training-options.js';
import { fit } from '../../../core/train/fit.js';
import { sampleImages, tinyClassifier } from '../train/tiny-classifier.js';

beforeAll(async () => {
  await wasmCandidate.load();
});

describe('checkpoints', () => {
  it('keep the latest epoch of a stage as a tfjs model that loads back and predicts the same', async () => {
    const { train, test, norm } = await sampleImages(256);
    const dir = mkdtempSync(join(tmpdir(), 'pruneflow-checkpoints-'));
    const checkpoints = stageCheckpoints({ checkpointDir: dir }, { readAsset: () => Promise.reject(new Error('unused')), writeFiles: writeFilesAtomically })!;
    const model = tinyClassifier(6);
    const folder = checkpointFolder(dir, 'fine-tuning');
    const written: { weights: string[]; checkpoint: unknown }[] = [];
    const save = checkpoints(model, 'fine-tuning', 3);
    await fit(model, train, norm, {
      epochs: 3,
      batchSize: 64,
      learningRate: 1e-2,
      seed: 1,
      stage: 'fine-tuning',
      onCheckpoint: async (epoch) => {
        await save(epoch);
        const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
        written.push({ weights: json.weightsManifest[0].paths, checkpoint: json.pruneflowCheckpoint });
      },
    });
    // Weight files taken in turn, so model.json always names a complete one; nothing else left behind.
    expect(written).toEqual([
      { weights: ['weights-a.bin'], checkpoint: { stage: 'fine-tuning', epoch: 1, epochs: 3 } },
      { weights: ['weights-b.bin'], checkpoint: { stage: 'fine-tuning', epoch: 2, epochs: 3 } },
      { weights: ['weights-a.bin'], checkpoint: { stage: 'fine-tuning', epoch: 3, epochs: 3 } },
    ]);
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'weights-a.bin', 'weights-b.bin']);

    const loaded = await loadModel(join(folder, 'model.json'), { openModelSource });
    const batch = makeBatch(
      test,
      Int32Array.from({ length: 64 }, (_, i) => i),
      norm,
    );
    const predict = (m: tfl.LayersModel) => Array.from((m.predict(batch.x) as tf.Tensor).dataSync());
    expect(predict(loaded)).toEqual(predict(model));
    tf.dispose([batch.x, batch.y]);
    loaded.dispose();
    model.dispose();
  });

  it('fail before any training on a host that cannot write files', () => {
    expect(() => stageCheckpoints({ checkpointDir: '/tmp/x' }, { readAsset: () => Promise.reject(new Error('unused')) })).toThrow(
      /cannot write files, so it cannot save checkpoints/,
    );
    expect(stageCheckpoints({}, { readAsset: () => Promise.reject(new Error('unused')) })).toBeUndefined();
  });
});
