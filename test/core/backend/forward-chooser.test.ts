import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type ForwardEngine, ForwardChooser, FORWARD_MIN_IMAGES } from '../../../core/backend/forward-runner.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { zooEntry } from '../../../core/models/zoo.js';
import { onnxRuntimeEngine } from '../../../core/node/ort-runner.js';

// The chooser's per-engine rules (ONNX Runtime Web's, core/browser/web-ort-runner.ts), on the real ONNX Runtime engine.
beforeAll(async () => {
  await wasmCandidate.load();
});

const depthwiseOnly = (backend: string, model?: tfl.LayersModel) =>
  backend !== 'wasm'
    ? `not measured against tfjs ${backend}`
    : model && !model.layers.some((l) => l.getClassName() === 'DepthwiseConv2D')
      ? 'no depthwise convolutions'
      : undefined;

function ruled(minImages?: number): ForwardEngine {
  return { ...onnxRuntimeEngine({ threads: 1 }), declines: depthwiseOnly, ...(minImages !== undefined && { minImages }) };
}

describe('ForwardChooser with an engine that declines some jobs', () => {
  it('keeps tfjs where the engine declines the model, and says why per job', async () => {
    const chooser = new ForwardChooser(ruled(10));
    const model = zooEntry('resnet20').build({ inputShape: [32, 32, 3], numClasses: 10 });
    const runner = await chooser.open('evaluation', model, { images: 5000 });
    expect(runner.engine).toBe('tfjs');
    expect(chooser.summary()).toEqual(['evaluation: tfjs (onnxruntime declined: no depthwise convolutions)']);
    model.dispose();
  });

  it('hands the jobs it does not decline to the engine, from its own minimum of images', async () => {
    const chooser = new ForwardChooser(ruled(10));
    const model = zooEntry('mobilenetv2').build({ inputShape: [32, 32, 3], numClasses: 10 });
    expect((await chooser.open('activations', model, { images: 9 })).engine).toBe('tfjs');
    const runner = await chooser.open('evaluation', model, { images: 10 });
    expect(runner.engine).toBe('onnxruntime');
    await runner.dispose();
    expect(chooser.summary()).toEqual(['activations: tfjs (9 images do not repay converting the model (10 do))', 'evaluation: onnxruntime']);
    // Without its own minimum, the engine gets the default one.
    const plain = new ForwardChooser(ruled());
    expect((await plain.open('evaluation', model, { images: FORWARD_MIN_IMAGES - 1 })).engine).toBe('tfjs');
    model.dispose();
  });

  it("names the engine's reason in the backend report where it declines the active backend", async () => {
    expect(await new ForwardChooser(ruled()).describe()).toMatch(/^forward passes: ONNX Runtime 1\.31\.1 \(CPU, 1 threads\)/);
    await tf.setBackend('cpu');
    try {
      expect(await new ForwardChooser(ruled()).describe()).toBe('forward passes: tfjs (onnxruntime declined: not measured against tfjs cpu)');
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
