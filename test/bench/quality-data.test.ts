import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { openDataset } from '../../core/data/formats/index.js';
import { openDataSource } from '../../core/node/open-data-source.js';
import { ROOT } from '../build/run.js';
import { CIFAR10, datasetFromArgs, FASHION_MNIST, qualityPaths, UnknownQualityDatasetError } from './quality-config.js';
import { writeIdxSubset } from './quality-data.js';

const folders: string[] = [];
const scratch = () => {
  const folder = mkdtempSync(join(tmpdir(), 'quality-data-'));
  folders.push(folder);
  return folder;
};
afterEach(() => folders.splice(0).forEach((f) => rmSync(f, { recursive: true, force: true })));

describe('quality benchmark data sets', () => {
  it('picks the data set from --data, CIFAR-10 without it, and names an unknown one', () => {
    expect(datasetFromArgs([])).toBe(CIFAR10);
    expect(datasetFromArgs(['--data', 'fashion-mnist'])).toBe(FASHION_MNIST);
    expect(datasetFromArgs(['--quick', '--data=fashion-mnist'])).toBe(FASHION_MNIST);
    expect(() => datasetFromArgs(['--data', 'mnist'])).toThrow(UnknownQualityDatasetError);
    expect(() => datasetFromArgs(['--data'])).toThrow(/--data \(missing\).*cifar10, fashion-mnist/);
  });

  it('keeps CIFAR-10 files where they were and gives Fashion-MNIST its own', () => {
    const cifar = qualityPaths('full', CIFAR10);
    expect(cifar.results).toMatch(/test\/bench\/quality-results\.json$/);
    expect(cifar.plot).toMatch(/docs\/quality-plot\.svg$/);
    expect(cifar.baselineDir).toMatch(/baselines\/resnet20-cifar10-subset$/);
    expect(cifar.section).toBe('quality');
    const fashion = qualityPaths('full', FASHION_MNIST);
    for (const key of ['baselineDir', 'results', 'plot', 'section', 'scratch'] as const) expect(fashion[key]).not.toBe(cifar[key]);
    expect(fashion.baselineDir).toMatch(/baselines\/resnet20-fashion-mnist-subset$/);
    expect(qualityPaths('quick', FASHION_MNIST).results).not.toBe(qualityPaths('quick', CIFAR10).results);
  });

  it('writes the first images of Fashion-MNIST as IDX files the engine reads', async () => {
    // The app's built-in sample stands in for the full Fashion-MNIST that the benchmark reads: the same files, fewer images.
    const source = join(ROOT, 'core/assets/fashion-mnist-sample');
    const folder = await writeIdxSubset(source, join(scratch(), 'fashion-mnist-subset'), 300, 120);
    const loaded = await openDataset(await openDataSource(folder));
    const { train, test } = loaded.splits;
    expect([train.count, test.count]).toEqual([300, 120]);
    expect([train.height, train.width, train.channels]).toEqual([28, 28, 1]);
    expect(loaded.classNames[0]).toBe('T-shirt/top');
    // Same images and labels, in the same order, as the source files (16- and 8-byte headers).
    const images = gunzipSync(readFileSync(join(source, 't10k-images-idx3-ubyte.gz')));
    const labels = gunzipSync(readFileSync(join(source, 't10k-labels-idx1-ubyte.gz')));
    expect(Array.from(test.images.subarray(0, 784 * 120))).toEqual(Array.from(images.subarray(16, 16 + 784 * 120)));
    expect(Array.from(test.labels)).toEqual(Array.from(labels.subarray(8, 8 + 120)));
  });
});
