import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { loadBuiltinSample } from '../../../core/data/builtin-sample.js';
import type { ImageDataset } from '../../../core/data/image-dataset.js';
import { takeRecords } from '../../../core/data/splits.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { contractNormalisation, InputContractError, modelInputContract, presetContract } from '../../../core/models/input-contract.js';
import { readAsset } from '../../../core/node/assets.js';
import { resolveRunInput } from '../../../core/session/run-input.js';
import { fit } from '../../../core/train/fit.js';

let data: ImageDataset;
let model: tfl.LayersModel;

/** The demo CNN trained (2 epochs) on Fashion-MNIST images scaled to [-1, 1], as TensorFlow's MobileNets are. */
beforeAll(async () => {
  await wasmCandidate.load();
  const { train } = await loadBuiltinSample(readAsset);
  data = takeRecords(
    train,
    Int32Array.from({ length: Math.min(1500, train.count) }, (_, i) => i),
  );
  model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 2 });
  const tf = contractNormalisation(presetContract('tf'), 1, () => ({ mean: [], std: [] }));
  await fit(model, data, tf, { epochs: 3, batchSize: 64, learningRate: 2e-3, seed: 3, stage: 'test' });
}, 300_000);

describe('the input contract when the model file is silent', () => {
  it('is detected: a model trained on [-1, 1] inputs is found to want the tf preset, with every preset scored', async () => {
    const input = await resolveRunInput({ model: 'my-model.h5' }, data, model);
    expect(input.contract.preset).toBe('tf');
    expect(input.contract.source).toBe('detected');
    expect(input.scores!.map((s) => s.preset).sort()).toEqual(['dataset-stats', 'raw', 'tf', 'unit']);
    expect(input.scores![0]).toEqual(expect.objectContaining({ preset: 'tf' }));
    expect(input.scores![0].accuracy).toBeGreaterThan(input.scores!.find((s) => s.preset === 'raw')!.accuracy + 0.2);
    expect(input.message).toMatch(/tf .*detected on the data.*tf \d+\.\d%/);
    expect(modelInputContract(model)?.preset).toBe('tf');
  }, 120_000);

  it('refuses a model paired with the wrong data (labels in another order) with a named error that says the score', async () => {
    const shifted: ImageDataset = { ...data, labels: data.labels.map((l) => (l + 3) % 10) };
    const fresh = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 2 });
    fresh.setWeights(model.getWeights());
    const refused = resolveRunInput({ model: 'my-model.h5' }, shifted, fresh);
    await expect(refused).rejects.toThrow(InputContractError);
    await expect(refused).rejects.toThrow(/^This model scores \d+% on these images at best \(chance is 10%.*wrong data set, class order or preprocessing\?/);
    // The model's class k is the data's class k + 3: the refusal names that order, read from the confusion matrix.
    const quote = (name: string) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    await expect(refused).rejects.toThrow(
      new RegExp(
        `in another order: under preset 'tf' the model's class 0 looks like the data's '${quote(data.classNames[3])}', class 1 looks like the data's ` +
          `'${quote(data.classNames[4])}'`,
      ),
    );
    await expect(refused).rejects.toThrow(/that order explains \d+% of the sample/);
    // A run that trains the model first does not need it to score yet: it trains from the data set's statistics.
    const training = await resolveRunInput({ model: 'my-model.h5', trainEpochs: 2 }, shifted, fresh);
    expect(training.contract).toEqual(expect.objectContaining({ preset: 'dataset-stats', source: 'default' }));
    expect(training.message).toMatch(/near chance/);
    fresh.dispose();
  }, 120_000);

  it("takes the user's choice over detection, and a built-in model trained here uses the data set's statistics", async () => {
    const user = await resolveRunInput({ model: 'my-model.h5', input: { preset: 'unit' } }, data, model);
    expect(user.contract).toEqual(expect.objectContaining({ preset: 'unit', source: 'user' }));
    expect(user.scores).toBeUndefined();
    const zoo = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    const builtIn = await resolveRunInput({ model: 'demo-cnn' }, data, zoo);
    expect(builtIn.contract).toEqual(expect.objectContaining({ preset: 'dataset-stats', source: 'default' }));
    expect(builtIn.norm.mean[0]).toBeGreaterThan(0.1);
    zoo.dispose();
  });
});
