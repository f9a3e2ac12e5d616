import { describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { readAsset } from '../../../core/node/assets.js';
import { LATENCY_PROFILES } from '../../../core/metrics/latency-profiles.js';
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
    const estimate = await engine.estimateCut({ model: 'demo-cnn', input: { height: 28, width: 28, channels: 1, classes: 10 }, metric: 'flops', roundTo: 1 });
    expect(estimate.roundTo).toBe(1);
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

  it('predicts time with the cost model of the engine that will time the run, and rounds as a run would by default', async () => {
    const input = { height: 32, width: 32, channels: 3, classes: 10 };
    const exact = await engine.estimateCut({ model: 'resnet20', input, metric: 'flops', roundTo: 1 });
    const picked = await engine.estimateCut({ model: 'resnet20', input, metric: 'flops' });
    // No ONNX Runtime in this host: tfjs on wasm times the run.
    expect(exact.latency).toMatchObject({ engine: 'wasm', block: LATENCY_PROFILES.wasm.block });
    const blocked = await engine.estimateCut({ model: 'resnet20', input, metric: 'flops', roundTo: 8 });
    for (const point of blocked.points) expect(point.time).toBeGreaterThan(LATENCY_PROFILES.wasm.fixed);
    // ResNet-20's narrowest groups have 16 channels: the default is 8 (SIMD's block, half of them), and the counts are that plan's.
    expect(exact.roundingWhy).toBeUndefined();
    expect(picked).toMatchObject({ roundTo: 8, roundingWhy: expect.stringMatching(/^the kernels work on 8 channels at once/) });
    expect(picked.points).toEqual(blocked.points);
    expect(picked.points).not.toEqual(exact.points);
    // A host with ONNX Runtime times on it: its own block.
    const ort = createEngine({
      host: 'test',
      candidates: [wasmCandidate],
      readAsset,
      forwardEngine: { id: 'onnxruntime', load: async () => 'ONNX Runtime', open: () => Promise.reject(new Error('not opened in this test')) },
    });
    const onOrt = await ort.estimateCut({ model: 'resnet20', input, metric: 'flops' });
    expect(onOrt.latency).toMatchObject({ engine: 'onnxruntime', block: LATENCY_PROFILES.onnxruntime.block });
    // Its block of 16 would leave ResNet-20's 16-channel layers all or nothing: halved to 8.
    expect(onOrt).toMatchObject({ roundTo: 8, roundingWhy: expect.stringMatching(/16 channels at once, but the narrowest layer has 16 channels/) });
    // The small VGG's narrowest layers have 32 channels: its block as it is.
    expect(await ort.estimateCut({ model: 'small-vgg', input, metric: 'flops' })).toMatchObject({ roundTo: 16 });
    // A quick trial's latency run (48 images) does not repay converting the model: tfjs times it, and the answer says who times a full run.
    const trial = (await ort.estimateCut({ model: 'resnet20', input, metric: 'flops', quickTrial: true })).latency;
    expect(trial).toMatchObject({ engine: 'wasm', block: LATENCY_PROFILES.wasm.block, fullRun: 'ONNX Runtime (CPU)' });
    expect(trial?.why).toContain('A quick trial times 48 images');
    // Without ONNX Runtime both are tfjs: nothing to say.
    expect((await engine.estimateCut({ model: 'resnet20', input, metric: 'flops', quickTrial: true })).latency?.fullRun).toBeUndefined();
  });

  it('refuses to list folders on a host without files', async () => {
    await expect(engine.listFolder('/')).rejects.toThrow(HostCapabilityError);
  });
});
