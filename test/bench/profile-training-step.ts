// Where a wasm training step spends its time: tf.profile over fit's own step (forward, backward, SGD with
// weight decay) of a zoo model, kernels summed by name, the top ones printed. Not part of `npm run bench`:
// `node dist/test/bench/profile-training-step.js [model] [batch]` (defaults resnet20, 64).
import * as tf from '@tensorflow/tfjs-core';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { makeBatch } from '../../core/data/batches.js';
import type { ImageDataset } from '../../core/data/image-dataset.js';
import { seededRandom } from '../../core/data/random.js';
import { zooEntry } from '../../core/models/zoo.js';
import { OptimizerUpdate } from '../../core/train/optimizer-update.js';
import { trainingLoss } from '../../core/train/training-loss.js';

async function main(): Promise<void> {
  const [id = 'resnet20', batchText = '64'] = process.argv.slice(2);
  const batch = Number(batchText);
  await wasmCandidate.load();
  const random = seededRandom(5);
  const data: ImageDataset = {
    name: 'random',
    count: batch,
    height: 32,
    width: 32,
    channels: 3,
    classNames: [...'0123456789'],
    images: Uint8Array.from({ length: batch * 3072 }, () => Math.floor(random() * 256)),
    labels: Uint8Array.from({ length: batch }, (_, i) => i % 10),
  };
  const model = zooEntry(id).build({ inputShape: [32, 32, 3], numClasses: 10 });
  const update = new OptimizerUpdate(model, { optimizer: 'sgd', learningRate: 0.01, nesterov: true, weightDecay: 5e-4, weightDecayOn: 'all' });
  const { x, y } = makeBatch(
    data,
    Int32Array.from({ length: batch }, (_, i) => i),
    { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
  );
  const step = () => {
    const { value, grads } = tf.variableGrads(() => {
      const out = trainingLoss(model, x, y);
      out.hits.dispose();
      return out.loss;
    }, update.variables);
    update.apply(grads, 0.01);
    tf.dispose([value, ...Object.values(grads)]);
  };
  step(); // warm-up: kernels compiled, optimizer slots made
  const started = performance.now();
  const info = await tf.profile(step);
  const wall = performance.now() - started;
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const kernel of info.kernels) {
    // An op that calls one kernel is recorded as a scope too ('fusedConv2d__op'): count the kernel only.
    if (kernel.name.endsWith('__op')) continue;
    const ms = await kernel.kernelTimeMs;
    const entry = byName.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof ms === 'number' ? ms : 0;
    entry.calls++;
    byName.set(kernel.name, entry);
  }
  const total = [...byName.values()].reduce((sum, e) => sum + e.ms, 0);
  console.log(`${id}, batch ${batch}: step ${wall.toFixed(0)} ms wall (profiled), kernels ${total.toFixed(0)} ms`);
  console.log('| kernel | ms | share | calls |\n| --- | --- | --- | --- |');
  for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
    console.log(`| ${name} | ${e.ms.toFixed(1)} | ${((e.ms / total) * 100).toFixed(1)}% | ${e.calls} |`);
  }
  tf.dispose([x, y]);
  update.dispose();
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
