import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type ForwardEngine, ForwardChooser, tfjsRunner, turnedOffEngine } from '../../../core/backend/forward-runner.js';
import { cpuCandidate, wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { DEFAULT_PRUNE_CONFIG } from '../../../core/api/contract.js';
import { createEngine } from '../../../core/session/engine.js';
import { runPruning } from '../../../core/session/prune-run.js';
import { BUILTIN_DATA } from '../../../core/session/run-inputs.js';
import { memoryTree } from '../../../core/data/file-tree.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { planFeatureMaps } from '../../../core/importance/feature-maps.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { exportOnnx } from '../../../core/models/io/onnx/onnx-export.js';
import { zooEntry } from '../../../core/models/zoo.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { hasPadBeforeMaxPool, onnxRuntimeEngine, ortSessionOptions } from '../../../core/node/ort-runner.js';
import { smallOnnx } from '../../interop/onnx-fixtures.js';
import { loadBuiltinSample } from '../../../core/data/builtin-sample.js';
import { channelStatistics, type ImageDataset, type Normalisation } from '../../../core/data/image-dataset.js';
import { makeBatch } from '../../../core/data/batches.js';
import { readAsset } from '../../../core/node/assets.js';
import { evaluate } from '../../../core/train/evaluate.js';
import { fit } from '../../../core/train/fit.js';
import { getCriterion } from '../../../core/importance/registry.js';
import { planPruning } from '../../../core/prune/budget.js';
import { analyseSensitivity } from '../../../core/prune/sensitivity/analyse.js';
import { measureLatency } from '../../../core/metrics/latency.js';
import { maxAbsDiff } from '../models/onnx/onnx-runtime.js';

// The tfjs side runs on wasm, the backend runs use (the plain JavaScript one is far slower).
beforeAll(async () => {
  await wasmCandidate.load();
});

const engine = onnxRuntimeEngine({ threads: 2 });

/** Random batch norm statistics and scales, so folding and the moving statistics matter. */
function randomiseBatchNorms(model: tfl.LayersModel, seed: number): void {
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    layer.setWeights(
      layer
        .getWeights()
        .map((w, i) =>
          tf.tidy(() => (i === 3 ? tf.randomUniform(w.shape, 0.5, 2, 'float32', seed + i) : tf.randomNormal(w.shape, 0, 0.3, 'float32', seed + i))),
        ),
    );
  }
}

/** Both runners on the same images (negative values too): outputs and every feature map the data criteria read. */
async function expectSameRuns(model: tfl.LayersModel, seed: number): Promise<void> {
  const probes = planFeatureMaps(model, buildChannelGraph(model)).tensors;
  const runner = await engine.open(model, probes);
  const x = tf.randomNormal([4, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', seed);
  try {
    const [mine, theirs] = [await runner.run(x), await tfjsRunner(model, probes).run(x)];
    expect(mine.map((t) => t.shape)).toEqual(theirs.map((t) => t.shape));
    expect(mine).toHaveLength(1 + probes.length);
    for (let i = 0; i < mine.length; i++) {
      const scale = (theirs[i].dataSync() as Float32Array).reduce((m, v) => Math.max(m, Math.abs(v)), 1);
      expect(maxAbsDiff(mine[i].dataSync(), theirs[i].dataSync()) / scale).toBeLessThan(1e-4);
    }
    tf.dispose([...mine, ...theirs]);
  } finally {
    x.dispose();
    await runner.dispose();
  }
}

describe('ONNX Runtime forward runner', () => {
  it.each(['resnet20', 'small-vgg', 'mobilenetv2'])('%s: outputs and feature maps equal tfjs within 1e-4', async (id) => {
    const model = zooEntry(id).build({ inputShape: [32, 32, 3], numClasses: 10 });
    randomiseBatchNorms(model, 3);
    await expectSameRuns(model, 11);
    model.dispose();
  });

  it('an imported ONNX model (CIFAR ResNet from PyTorch) runs as in tfjs', async () => {
    const { model } = await importModel(memoryTree('f', new Map([['m.onnx', smallOnnx('cifar-resnet').bytes]])));
    await expectSameRuns(model, 12);
    model.dispose();
  });

  it('a zero Pad before a MaxPool stays right: such graphs run unoptimised', async () => {
    const { model } = await importModel(memoryTree('f', new Map([['m.onnx', smallOnnx('grouped-net').bytes]])));
    const x = tf.randomNormal([2, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', 4);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const bytes = await exportOnnx(model, { channelsLast: true });
    const run = async (options: ort.InferenceSession.SessionOptions) => {
      const session = await ort.InferenceSession.create(bytes, options);
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) });
      await session.release();
      return out[session.outputNames[0]].data as Float32Array;
    };
    // The upstream bug this guards against: with the basic rewrites on, the result is wrong...
    expect(maxAbsDiff(await run({ graphOptimizationLevel: 'basic' }), expected)).toBeGreaterThan(1e-2);
    // ...and the runner's options for this graph are right (and optimise graphs without the pattern).
    expect(hasPadBeforeMaxPool(bytes)).toBe(true);
    expect(maxAbsDiff(await run(ortSessionOptions(2, bytes)), expected)).toBeLessThan(1e-4);
    const plain = await exportOnnx(await importModel(memoryTree('f', new Map([['m.onnx', smallOnnx('cifar-resnet').bytes]]))).then((r) => r.model));
    expect(ortSessionOptions(2, plain).graphOptimizationLevel).toBe('all');
    // Idle threads sleep: two sessions timed in alternation must not spin against each other (bench:rounding).
    expect(ortSessionOptions(2, plain).extra).toEqual({ session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } });
    const runner = await engine.open(model, []);
    const [out] = await runner.run(x);
    expect(maxAbsDiff(out.dataSync(), expected)).toBeLessThan(1e-4);
    await runner.dispose();
    model.dispose();
    x.dispose();
  });

  it('falls back to tfjs, and says why, where onnxruntime-node cannot load', async () => {
    const broken = onnxRuntimeEngine({ load: () => Promise.reject(new Error('libonnxruntime.so.1: cannot open shared object file')) });
    const chooser = new ForwardChooser(broken, 1);
    expect(await chooser.describe()).toMatch(/forward passes: tfjs \(onnxruntime could not load: onnxruntime-node failed to load \(libonnxruntime\.so\.1/);
    const model = zooEntry('demo-cnn').build({ inputShape: [28, 28, 1], numClasses: 10 });
    const runner = await chooser.open('evaluation', model, { images: 1000 });
    expect(runner.engine).toBe('tfjs');
    expect(chooser.summary()).toEqual([expect.stringMatching(/^evaluation: tfjs \(onnxruntime could not load: .*libonnxruntime/)]);
    model.dispose();
  });

  it('falls back to tfjs where the model cannot be exported, and runs ONNX Runtime where it can', async () => {
    const chooser = new ForwardChooser(engine, 100);
    const model = zooEntry('demo-cnn').build({ inputShape: [28, 28, 1], numClasses: 10 });
    expect((await chooser.open('evaluation', model, { images: 1000 })).engine).toBe('onnxruntime');
    expect((await chooser.open('latency', model, { images: 8 })).engine).toBe('tfjs');
    // A layer the ONNX export has no operator for (a custom class name stands in for one).
    const layer = model.layers[1] as unknown as { getClassName(): string };
    const original = layer.getClassName.bind(layer);
    layer.getClassName = () => 'NoSuchLayer';
    expect((await chooser.open('activations', model, { images: 1000 })).engine).toBe('tfjs');
    layer.getClassName = original;
    expect(await chooser.describe()).toMatch(/^forward passes: ONNX Runtime 1\.31\.1 \(CPU, 2 threads\)/);
    expect(chooser.summary()).toEqual([
      expect.stringMatching(/^evaluation: onnxruntime$/),
      expect.stringMatching(/^latency: tfjs \(8 images do not repay converting the model/),
      expect.stringMatching(/^activations: tfjs \(the model could not run on onnxruntime: .*NoSuchLayer/),
    ]);
    model.dispose();
  });
});

describe('forward-only jobs on ONNX Runtime and on tfjs', () => {
  const onOrt = () => new ForwardChooser(engine, 1);
  let train: ImageDataset;
  let norm: Normalisation;
  beforeAll(async () => {
    ({ test: train } = await loadBuiltinSample(readAsset));
    norm = channelStatistics(train);
  });

  it("evaluation: the same top-1, top-5 and per-class counts (demo CNN, the Fashion-MNIST sample's 1,000 test images)", async () => {
    const model = zooEntry('demo-cnn').build({ inputShape: [28, 28, 1], numClasses: 10 });
    // One epoch, so that it tells several classes apart: the comparison then covers more than one class.
    await fit(model, train, norm, { epochs: 1, batchSize: 64, learningRate: 2e-3, seed: 1, stage: 'training' });
    const chooser = onOrt();
    const theirs = await evaluate(model, train, norm);
    const mine = await evaluate(model, train, norm, { forward: chooser });
    expect(chooser.uses.map((u) => u.engine)).toEqual(['onnxruntime']);
    expect(mine).toEqual(theirs);
    expect(theirs.perClass.filter((c) => c.correct > 0).length).toBeGreaterThan(1);
    model.dispose();
  });

  it.each(['apoz', 'activation-mean', 'hrank', 'cip'])('%s on ResNet-20: the same scores within 1e-4 and the same kept channels', async (id) => {
    const model = zooEntry('resnet20').build({ inputShape: [32, 32, 3], numClasses: 10 });
    randomiseBatchNorms(model, 7);
    const graph = buildChannelGraph(model);
    const calibration = [0, 1].map((b) => {
      const x = tf.randomNormal([16, 32, 32, 3], 0, 1, 'float32', 20 + b) as tf.Tensor4D;
      return {
        x,
        y: tf.oneHot(
          tf.tensor1d(
            [...Array(16).keys()].map((i) => i % 10),
            'int32',
          ),
          10,
        ) as tf.Tensor2D,
        size: 16,
      };
    });
    const criterion = getCriterion(id);
    const chooser = onOrt();
    const theirs = await criterion.scoreGroups({ model, graph, calibration, seed: 1 });
    const mine = await criterion.scoreGroups({ model, graph, calibration, seed: 1, forward: chooser });
    expect(chooser.uses.map((u) => `${u.job} ${u.engine}`)).toEqual(['activations onnxruntime']);
    expect([...mine.keys()]).toEqual([...theirs.keys()]);
    for (const [group, scores] of theirs) {
      const scale = scores.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);
      expect(maxAbsDiff(mine.get(group)!, scores) / scale).toBeLessThan(1e-4);
    }
    const keep = (s: Map<number, Float32Array>) => [...planPruning(graph, s, { metric: 'flops', reduction: 0.5 }).keep].map(([g, k]) => [g, Array.from(k)]);
    expect(keep(mine)).toEqual(keep(theirs));
    tf.dispose(calibration.flatMap((b) => [b.x, b.y]));
    model.dispose();
  });

  it('sensitivity: the same table; latency: timed on ONNX Runtime', async () => {
    const model = zooEntry('demo-cnn').build({ inputShape: [28, 28, 1], numClasses: 10 });
    randomiseBatchNorms(model, 9);
    const graph = buildChannelGraph(model);
    const scores = await getCriterion('l1').scoreGroups({ model, graph, seed: 1 });
    const batches = [
      makeBatch(
        train,
        Int32Array.from({ length: 200 }, (_, i) => i),
        norm,
      ),
    ];
    const chooser = onOrt();
    const theirs = await analyseSensitivity(model, graph, scores, batches, [0.5]);
    const mine = await analyseSensitivity(model, graph, scores, batches, [0.5], { forward: chooser });
    expect(mine).toEqual(theirs);
    expect(new Set(chooser.uses.map((u) => `${u.job} ${u.engine}`))).toEqual(new Set(['sensitivity onnxruntime']));
    expect(chooser.uses.length).toBe(1 + theirs.rows.length);
    const latency = await measureLatency(model, { batch: 4, runs: 3, warmup: 1, forward: chooser });
    expect(latency.median).toBeGreaterThan(0);
    expect(chooser.uses.at(-1)).toMatchObject({ job: 'latency', engine: 'onnxruntime' });
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
    model.dispose();
  });
});

describe('a run and the backend report with ONNX Runtime', () => {
  it('a pruning run says which engine did each forward-only job', async () => {
    const config = {
      ...DEFAULT_PRUNE_CONFIG,
      model: 'demo-cnn',
      data: BUILTIN_DATA,
      criterion: 'apoz',
      trainEpochs: 0,
      fineTuneEpochs: 0,
      calibrationBatches: 1,
    };
    const result = await runPruning(config, { readAsset, backend: 'wasm', forwardEngine: engine });
    const lines = result.forwardPasses ?? [];
    // The built-in sample's test split and the paired latency runs (batch 64) repay conversion; 1 calibration batch of 64 does not.
    expect(lines).toEqual(expect.arrayContaining(['evaluation: onnxruntime, 3 times', 'latency: onnxruntime, 3 times']));
    expect(lines.find((l) => l.startsWith('activations'))).toMatch(/^activations: tfjs \(\d+ images do not repay converting the model/);
    expect(result.baseline.accuracy).toBeGreaterThan(0);
  });

  it("the engine's backend report names the forward engine, or why it could not load", async () => {
    const info = async (forwardEngine?: ForwardEngine) =>
      (await createEngine({ host: 'test', candidates: [wasmCandidate, cpuCandidate], readAsset, forwardEngine }).getInfo()).backend.details;
    expect(await info(engine)).toEqual(expect.arrayContaining([expect.stringMatching(/^forward passes: ONNX Runtime 1\.31\.1 \(CPU, 2 threads\)/)]));
    const broken = onnxRuntimeEngine({ load: () => Promise.reject(new Error('no binary for this system')) });
    expect(await info(broken)).toEqual(
      expect.arrayContaining(['forward passes: tfjs (onnxruntime could not load: onnxruntime-node failed to load (no binary for this system))']),
    );
    expect(await info(undefined)).toEqual(expect.arrayContaining(['forward passes: tfjs (no other engine in this host)']));
    // Turned off by the user (PRUNEFLOW_FORWARD_ENGINE=tfjs): said as such, not as a failure, and every job runs on tfjs.
    const off = turnedOffEngine('onnxruntime', 'PRUNEFLOW_FORWARD_ENGINE=tfjs');
    expect(await info(off)).toEqual(expect.arrayContaining(['forward passes: tfjs (onnxruntime turned off: PRUNEFLOW_FORWARD_ENGINE=tfjs)']));
    const chooser = new ForwardChooser(off, 1);
    const runner = await chooser.open('evaluation', buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10 }), { images: 10_000 });
    expect(runner.engine).toBe('tfjs');
    expect(chooser.uses).toEqual([{ job: 'evaluation', engine: 'tfjs', note: 'onnxruntime turned off: PRUNEFLOW_FORWARD_ENGINE=tfjs' }]);
    await runner.dispose();
  });
});
