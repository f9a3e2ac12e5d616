import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { resolveBackendPreference } from '../../../core/backend/backend-preference.js';
import { describeBackendReport } from '../../../core/backend/backend-report.js';
import { selectBackend } from '../../../core/backend/select-backend.js';
import { nodeCandidates } from '../../../core/node/node-backends.js';

// The real candidates of the Node host. On this machine tfjs-node(-gpu) cannot be installed (their
// libtensorflow download needs the network), so automatic choice lands on wasm and says why.
describe('backend selection', () => {
  it('tries the best backend first and explains each one it did not take', async () => {
    const report = await selectBackend(nodeCandidates);
    expect(report.active).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.chosenBy).toBe('auto');
    expect(report.attempts.map((a) => a.id)).toEqual(['node-gpu', 'webgpu', 'webgl', 'node', 'wasm']);
    expect(report.attempts[0].reason).toMatch(/not installed|no CUDA GPU|failed to load/);
    expect(report.attempts[1].reason).toMatch(/runs inside Chromium only/);
    expect(report.attempts[3].reason).toMatch(/not installed|failed to load/);
    expect(report.details).toEqual(['wasm: SIMD on, threads off']);
    expect(describeBackendReport(report)).toMatch(/^backend: wasm \(chosen automatically\)\n {2}node-gpu: /);
  });

  it('runs on exactly the backend a user forces, or fails saying why', async () => {
    const report = await selectBackend(nodeCandidates, { requested: 'cpu', chosenBy: 'flag' });
    expect([report.active, report.chosenBy, tf.getBackend()]).toEqual(['cpu', 'flag', 'cpu']);
    expect(report.attempts[0].reason).toBe("not tried: backend 'cpu' was requested");
    await expect(selectBackend(nodeCandidates, { requested: 'node' })).rejects.toThrow(
      /No compute backend could be started \(.*node: (not installed|installed but failed)/,
    );
    await expect(selectBackend(nodeCandidates, { requested: 'tpu' })).rejects.toThrow(
      "Unknown backend 'tpu'. Choose one of: auto, node-gpu, webgpu, webgl, node, wasm, cpu.",
    );
  });

  it('lets a flag beat the environment, and the environment beat the setting', () => {
    expect(resolveBackendPreference({ flag: 'cpu', environment: 'wasm', setting: 'node' })).toEqual({ requested: 'cpu', chosenBy: 'flag' });
    expect(resolveBackendPreference({ environment: 'wasm', setting: 'node' })).toEqual({ requested: 'wasm', chosenBy: 'environment' });
    expect(resolveBackendPreference({ flag: 'auto', setting: 'node' })).toEqual({ requested: 'node', chosenBy: 'setting' });
    expect(resolveBackendPreference({})).toEqual({ requested: 'auto', chosenBy: 'auto' });
  });
});
