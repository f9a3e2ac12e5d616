import { describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { readAsset } from '../../../core/node/assets.js';
import { createEngine, HostCapabilityError } from '../../../core/session/engine.js';
import { BUILTIN_DATA } from '../../../core/session/run-inputs.js';

const engine = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset });

describe('engine calls behind the wizard', () => {
  it('previews the built-in sample with its class names and both splits', async () => {
    const preview = await engine.inspectDataset(BUILTIN_DATA);
    expect(preview.classNames).toHaveLength(10);
    expect(preview.classNames[9]).toBe('Ankle boot');
    expect(preview.splits.map((s) => [s.name, s.count])).toEqual([
      ['train', 5000],
      ['test', 1000],
    ]);
    expect(preview.samples.length).toBe(40);
    expect([preview.height, preview.width, preview.channels]).toEqual([28, 28, 1]);
  });

  it('estimates each cut of the FLOPs exactly on the channel graph, for the data the model is built for', async () => {
    const estimate = await engine.estimateCut({ model: 'demo-cnn', input: { height: 28, width: 28, channels: 1, classes: 10 }, metric: 'flops' });
    const report = await engine.inspectModel('demo-cnn');
    expect(estimate.baseline).toEqual({ flops: report.totals.flops, params: report.totals.parameters });
    expect(estimate.points.length).toBeGreaterThan(10);
    for (const point of estimate.points) {
      // The uniform plan never overshoots its goal and lands close to it.
      expect(point.flops).toBeLessThanOrEqual((1 - point.reduction) * estimate.baseline.flops + 1);
      expect(point.flops).toBeGreaterThan((1 - point.reduction - 0.1) * estimate.baseline.flops);
    }
    // Deeper cuts leave fewer parameters.
    const params = estimate.points.map((p) => p.params);
    expect([...params].sort((a, b) => b - a)).toEqual(params);
    // A built-in model is counted as built for the images given (the small VGG defaults to 32x32 colour).
    const cifar = await engine.estimateCut({ model: 'small-vgg', metric: 'params' });
    const fashion = await engine.estimateCut({ model: 'small-vgg', input: { height: 28, width: 28, channels: 1, classes: 10 }, metric: 'params' });
    expect(fashion.baseline.flops).toBeLessThan(cifar.baseline.flops);
  });

  it('refuses to list folders on a host without files', async () => {
    await expect(engine.listFolder('/')).rejects.toThrow(HostCapabilityError);
  });
});
