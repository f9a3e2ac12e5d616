/**
 * Each TensorFlow.js patch, with the upstream behaviour it answers. The first assertion of each test checks
 * that tfjs 4.22 still behaves as the patch assumes: the day an upgrade changes that, the test fails and
 * says which patch to revisit (core/backend/tfjs-compat/).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertTfjsVersion,
  INSTALLED_TFJS,
  registerWasmTrainingKernels,
  releaseFailedTape,
  restoreDepthMultiplier,
  saveMovingStatistics,
  TFJS_VERSION,
  WASM_TRAINING_KERNELS,
} from '../../../core/backend/tfjs-compat/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tfjs-compat', () => {
  it('runs on exactly the TensorFlow.js it patches, and names the package that differs', () => {
    expect(INSTALLED_TFJS).toEqual({
      'tfjs-core': TFJS_VERSION,
      'tfjs-layers': TFJS_VERSION,
      'tfjs-backend-wasm': TFJS_VERSION,
      'tfjs-backend-cpu': TFJS_VERSION,
    });
    expect(() => assertTfjsVersion()).not.toThrow();
    expect(() => assertTfjsVersion({ ...INSTALLED_TFJS, 'tfjs-layers': '4.23.0' })).toThrow(
      /^@tensorflow\/tfjs-layers is 4.23.0, but Pruneflow patches TensorFlow.js 4.22.0/,
    );
  });

  it('wasm-kernels: stock wasm still lacks the gradient kernels of convolutions, which ours add', () => {
    // Upstream: tfjs-backend-wasm 4.22 cannot train a conv net. If it gains these, compare ours against them.
    for (const name of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']) {
      expect(tf.getKernel(name, 'wasm'), name).toBeUndefined();
    }
    registerWasmTrainingKernels();
    for (const config of WASM_TRAINING_KERNELS) expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
  });

  it('failed-tape: a gradient computation that throws leaves its saved tensors behind; the patch frees them', () => {
    const x = tf.variable(tf.ones([4, 4]));
    const before = tf.memory().numTensors;
    const failedStep = () => {
      try {
        tf.variableGrads(() => {
          tf.sum(tf.exp(tf.relu(tf.matMul(x, x))));
          throw new Error('out of memory');
        });
      } catch {
        // as a real step running out of memory
      }
    };
    failedStep();
    // Upstream: tfjs-core 4.22 keeps them until a backward pass that never comes.
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    releaseFailedTape();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('moving-statistics: a training forward pass moves batch norm statistics at once; the patch puts them back', () => {
    const model = tfl.sequential({ layers: [tfl.layers.batchNormalization({ inputShape: [4] })] });
    const movingMean = () => Array.from(model.nonTrainableWeights[0].read().dataSync());
    const saved = saveMovingStatistics(model);
    tf.tidy(() => void model.apply(tf.fill([8, 4], 5), { training: true }));
    // Upstream: tfjs-layers 4.22 updates them in the forward pass, before any optimizer step.
    expect(movingMean()[0]).toBeGreaterThan(0);
    saved.restore();
    expect(movingMean()).toEqual([0, 0, 0, 0]);
    saved.dispose();
    model.dispose();
  });

  it("depth-multiplier: toJSON still drops SeparableConv2D's depth_multiplier; the patch restores it", () => {
    const model = tfl.sequential({ layers: [tfl.layers.separableConv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, depthMultiplier: 2 })] });
    const topology = model.toJSON(null, false) as unknown as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    // Upstream: tfjs-layers 4.22's SeparableConv2D.getConfig leaves it out.
    expect(topology.config.layers[0].config).not.toHaveProperty('depth_multiplier');
    restoreDepthMultiplier(topology.config.layers, model);
    expect(topology.config.layers[0].config.depth_multiplier).toBe(2);
    model.dispose();
  });
});
