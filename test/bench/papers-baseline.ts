import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { openDataset } from '../../core/data/formats/index.js';
import { channelStatistics } from '../../core/data/image-dataset.js';
import { exportModel } from '../../core/models/io/export-model.js';
import { countFlops, countTrainableParameters } from '../../core/models/model-cost.js';
import { zooEntry } from '../../core/models/zoo.js';
import { openDataSource } from '../../core/node/open-data-source.js';
import { writeFilesAtomically } from '../../core/node/write-files.js';
import { evaluateAccuracy } from '../../core/train/evaluate.js';
import type { PapersProtocol } from './papers-config.js';
import type { PapersBaseline } from './papers-store.js';
import { runTorchPapers } from './papers-torch.js';

/** The converted network must compute what PyTorch's computes: logits to this (float32 through 20 layers)... */
const LOGIT_TOLERANCE = 1e-3;
/** ...and score the same on the test set but for the odd tie (a fraction of the test images). */
const ACCURACY_TOLERANCE = 0.005;

export class BaselineConversionError extends Error {
  override name = 'BaselineConversionError';
}

interface TorchBaseline {
  accuracy: number;
  parameters: number;
  macs: number;
  /** Null where the baseline was converted from a stored baseline.pt rather than trained. */
  secondsPerEpoch: number | null;
  torch: string;
  trainImages: number;
  testImages: number;
  layers: Record<string, { shape: number[]; data: number[] }[]>;
  checkLogits: number[][];
}

/**
 * The baseline every run starts from: PyTorch trains it (test/bench/torch_papers.py baseline: `baseline.pt` for
 * Torch-Pruning, `weights.json` in tfjs layouts), its weights go into the zoo's `resnet20-b`, which must give the
 * same logits and accuracy, and the tfjs model is written beside them. Each finished step is kept, so a rerun
 * does only what is missing.
 */
export async function ensurePapersBaseline(dir: string, data: string, protocol: PapersProtocol, log: (line: string) => void): Promise<PapersBaseline> {
  const weightsFile = join(dir, 'weights.json');
  if (!existsSync(weightsFile) || !existsSync(join(dir, 'baseline.pt'))) {
    log(
      existsSync(join(dir, 'baseline.pt'))
        ? 'baseline: PyTorch converts the stored baseline.pt'
        : `baseline: PyTorch trains ResNet-20 (1x1 shortcuts) for ${protocol.baseline.epochs} epochs`,
    );
    await runTorchPapers(
      [
        'baseline',
        `--data=${data}`,
        `--epochs=${protocol.baseline.epochs}`,
        `--lr=${protocol.baseline.learningRate}`,
        `--wd=${protocol.weightDecay}`,
        `--batch=${protocol.batchSize}`,
        '--seed=1',
        `--out=${dir}`,
      ],
      log,
    );
  }
  const trained = JSON.parse(readFileSync(weightsFile, 'utf8')) as TorchBaseline;
  const loaded = await openDataset(await openDataSource(data));
  const { train, test } = loaded.splits;
  const model = zooEntry('resnet20-b').build({ inputShape: [train.height, train.width, train.channels], numClasses: loaded.classNames.length, seed: 1 });
  try {
    for (const layer of model.layers) {
      if (layer.getWeights().length === 0) continue;
      const weights = trained.layers[layer.name];
      if (!weights) throw new BaselineConversionError(`PyTorch's baseline has no weights for layer ${layer.name}`);
      const tensors = weights.map((w) => tf.tensor(w.data, w.shape));
      layer.setWeights(tensors);
      tf.dispose(tensors);
    }
    const norm = channelStatistics(train);
    const n = trained.checkLogits.length;
    const size = train.height * train.width * train.channels;
    const logits = tf.tidy(() => {
      const pixels = tf.tensor4d(test.images.subarray(0, n * size), [n, test.height, test.width, test.channels], 'float32');
      const input = tf.div(tf.sub(tf.div(pixels, 255), tf.tensor1d(norm.mean)), tf.tensor1d(norm.std));
      return (model.predict(input) as tf.Tensor).arraySync() as number[][];
    });
    const maxLogitDifference = Math.max(...logits.flatMap((row, i) => row.map((v, j) => Math.abs(v - trained.checkLogits[i][j]))));
    const scale = Math.max(1, ...trained.checkLogits.flat().map(Math.abs));
    const accuracy = await evaluateAccuracy(model, test, norm);
    log(
      `baseline: PyTorch ${(trained.accuracy * 100).toFixed(2)}%, converted ${(accuracy * 100).toFixed(2)}% ` +
        `top-1; logits differ by at most ${maxLogitDifference.toExponential(2)}`,
    );
    if (maxLogitDifference > LOGIT_TOLERANCE * scale)
      throw new BaselineConversionError(
        `The converted baseline's logits differ from PyTorch's by ${maxLogitDifference} (tolerance ${LOGIT_TOLERANCE * scale})`,
      );
    if (Math.abs(accuracy - trained.accuracy) > ACCURACY_TOLERANCE) {
      throw new BaselineConversionError(
        `The converted baseline scores ${(accuracy * 100).toFixed(2)}% against PyTorch's ${(trained.accuracy * 100).toFixed(2)}%`,
      );
    }
    const parameters = countTrainableParameters(model);
    const flops = countFlops(model);
    if (parameters !== trained.parameters || flops !== trained.macs) {
      throw new BaselineConversionError(`Pruneflow counts ${parameters} parameters and ${flops} FLOPs, PyTorch ${trained.parameters} and ${trained.macs}`);
    }
    await writeFilesAtomically(dir, await exportModel(model, 'tfjs'));
    return {
      torchAccuracy: trained.accuracy,
      pruneflowAccuracy: accuracy,
      maxLogitDifference,
      parameters,
      flops,
      secondsPerEpoch: trained.secondsPerEpoch,
      torch: trained.torch,
      trainImages: trained.trainImages,
      testImages: trained.testImages,
      trainedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
  } finally {
    model.dispose();
  }
}
