import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { planFeatureMaps } from '../../../core/importance/feature-maps.js';
import { getCriterion } from '../../../core/importance/registry.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { disposeBatches } from './tiny-models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** input -> convs 'a' (2) and 'b' (3) -> concat -> ReLU 'r' -> max pool -> conv 'c' -> ReLU -> flatten -> fc. */
function concatModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [4, 4, 2], name: 'image' });
  const conv = (name: string, filters: number, x: tfl.SymbolicTensor) =>
    tfl.layers
      .conv2d({ filters, kernelSize: 3, padding: 'same', name, kernelInitializer: tfl.initializers.heNormal({ seed: filters }) })
      .apply(x) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate({ name: 'cat' }).apply([conv('a', 2, input), conv('b', 3, input)]) as tfl.SymbolicTensor;
  const r = tfl.layers.reLU({ name: 'r' }).apply(cat) as tfl.SymbolicTensor;
  const pooled = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(r) as tfl.SymbolicTensor;
  const c = tfl.layers.reLU({ name: 'rc' }).apply(conv('c', 4, pooled)) as tfl.SymbolicTensor;
  const flat = tfl.layers.flatten({ name: 'flat' }).apply(c) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2, name: 'fc' }).apply(flat) as tfl.SymbolicTensor });
}

describe('feature maps of groups', () => {
  it('reads each group where its consumers do, before pooling, flatten and global pooling', () => {
    const model = concatModel();
    const graph = buildChannelGraph(model);
    const plan = planFeatureMaps(model, graph);
    const named = Object.fromEntries(
      [...plan.sites].map(([g, sites]) => [graph.groups[g].producers[0], sites.map((s) => [plan.tensors[s.tensor].sourceLayer.name, s.offset, s.channels])]),
    );
    expect(named).toEqual({ a: [['r', 0, 2]], b: [['r', 2, 3]], c: [['rc', 0, 4]] });

    const demo = buildDemoCnn({ inputShape: [8, 8, 3], numClasses: 2 });
    const demoPlan = planFeatureMaps(demo, buildChannelGraph(demo));
    expect(demoPlan.tensors.map((t) => t.sourceLayer.name)).toEqual(['block1_relu', 'block2_relu', 'block3_relu', 'block4_relu']);
  });

  it('slices a concatenation, and averages over every image of every batch in chunks', async () => {
    const model = concatModel();
    const graph = buildChannelGraph(model);
    const calibration = [20, 3].map((n, i) => {
      const x = tf.randomNormal([n, 4, 4, 2], 0, 1, 'float32', i + 1) as tf.Tensor4D;
      return { x, y: tf.tidy(() => tf.cast(tf.oneHot(tf.zeros([n], 'int32'), 2), 'float32') as tf.Tensor2D), size: n };
    });
    const scores = await getCriterion('activation-mean').scoreGroups({ model, graph, seed: 1, calibration });
    const probe = tfl.model({
      inputs: model.inputs,
      outputs: [model.getLayer('r').output as tfl.SymbolicTensor, model.getLayer('rc').output as tfl.SymbolicTensor],
    });
    const [r, rc] = tf.tidy(() => {
      const outs = probe.predict(tf.concat(calibration.map((b) => b.x))) as tf.Tensor[];
      return outs.map((o) => tf.mean(tf.abs(o), [0, 1, 2]).dataSync());
    });
    const byProducer = (name: string) => [...scores.get(graph.groups.find((g) => g.producers[0] === name)!.id)!];
    const close = (actual: number[], expected: ArrayLike<number>) => actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    close(byProducer('a'), r.slice(0, 2));
    close(byProducer('b'), r.slice(2));
    close(byProducer('c'), rc);
    disposeBatches(calibration);
  });
});
