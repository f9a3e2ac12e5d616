import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_DATA_ID } from '../../core/api/catalog.js';
import { DEFAULT_PRUNE_CONFIG } from '../../core/api/run-options.js';
import type { EngineApi } from '../../core/api/contract.js';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { nodeRunHost } from '../../core/node/node-engine.js';
import { onnxRuntimeEngine } from '../../core/node/ort-runner.js';
import { createEngine } from '../../core/session/engine.js';
import type { SessionDraft } from '../../renderer/lib/session-draft.svelte.js';
import { buildRunes } from './build-runes.js';

// The wizard's draft (runes, compiled as the app builds them) on a real engine with ONNX Runtime, as the
// desktop app has it: a full run's models are timed on ONNX Runtime, a quick trial's 48 images on tfjs.
let built: Awaited<ReturnType<typeof buildRunes>>;
let Draft: new (engine: EngineApi) => SessionDraft;
const engine = createEngine({ host: 'test', candidates: [wasmCandidate], ...nodeRunHost(), trainingReplicas: undefined, forwardEngine: onnxRuntimeEngine() });

beforeAll(async () => {
  built = await buildRunes({ draft: 'renderer/lib/session-draft.svelte.ts' });
  ({ SessionDraft: Draft } = await built.load<{ SessionDraft: typeof Draft }>('draft'));
}, 120_000);

afterAll(() => built?.remove());

describe('the wizard’s draft on a real engine', () => {
  it('names the engine that will time the run: ONNX Runtime for a full run, tfjs for a quick trial, and counts again on a change', async () => {
    const draft = new Draft(engine);
    await draft.chooseData(BUILTIN_DATA_ID);
    await draft.chooseModel('resnet20');
    await draft.loadEstimate();
    expect(draft.estimate.value?.latency).toMatchObject({ engine: 'onnxruntime', label: 'ONNX Runtime (CPU)' });
    expect(draft.estimate.value?.latency?.fullRun).toBeUndefined();
    const full = draft.estimate.value!;

    // Ticking the quick trial drops the full run's estimate; the new one is the trial's engine, and says whose the full run's is.
    draft.quickTrial = true;
    expect(draft.estimate.value).toBeUndefined();
    await draft.loadEstimate();
    const trial = draft.estimate.value!;
    expect(trial.latency).toMatchObject({ engine: 'wasm', label: 'tfjs WebAssembly (XNNPACK)', fullRun: 'ONNX Runtime (CPU)' });
    expect(trial.latency?.why).toMatch(/^A quick trial times 48 images, too few to repay converting the model to ONNX Runtime \(CPU\)/);
    // The same model and counts; the predicted times are another engine's cost model.
    expect(trial.baseline).toEqual(full.baseline);
    expect(draft.roundTo).toBe(trial.roundTo);
    expect(draft.toConfig()).toMatchObject({ sample: { train: 1000, test: 500 }, roundTo: trial.roundTo });

    // Ticking it again changes nothing; unticking it counts the full run's again.
    draft.quickTrial = true;
    expect(draft.estimate.value).toBe(trial);
    draft.quickTrial = false;
    expect(draft.estimate.value).toBeUndefined();
    await draft.loadEstimate();
    expect(draft.estimate.value?.latency?.engine).toBe('onnxruntime');
    expect(draft.toConfig()).not.toHaveProperty('sample');
  }, 120_000);

  it('measures a trained model file instead of retraining it, and trains a built-in model, unless the user chose otherwise', async () => {
    const draft = new Draft(engine);
    const file = fileURLToPath(new URL('../fixtures/models/keras2_sequential.h5', import.meta.url));
    expect(draft.trainEpochs).toBe(DEFAULT_PRUNE_CONFIG.trainEpochs);
    await draft.chooseModel(file);
    expect(draft.report.value?.totals.parameters).toBeGreaterThan(0);
    expect(draft.trainEpochs).toBe(0);
    expect(draft.toConfig()).toMatchObject({ model: file, trainEpochs: 0 });
    // A choice the user made for files stays while they pick another file; a built-in model is trained again.
    draft.trainEpochs = 2;
    await draft.chooseModel(file);
    expect(draft.trainEpochs).toBe(2);
    await draft.chooseModel('demo-cnn');
    expect(draft.trainEpochs).toBe(DEFAULT_PRUNE_CONFIG.trainEpochs);
  }, 60_000);
});
