/**
 * Worker thread for one measurement: loads one backend through the project's candidates, builds one model
 * and times one kind of step. A worker per measurement isolates backends and lets the bench kill a step that
 * runs too long (the pure-JS backend), which a timer on the main thread could not interrupt.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { nodeCandidates } from '../../core/node/node-backends.js';
import { MODELS } from './config.js';
import { runSteps } from './measure.js';
import type { PhaseSpec, WorkerMessage } from './phase-protocol.js';
import { inferStep, trainStep } from './tfjs-steps.js';

const spec = workerData as PhaseSpec;
tf.enableProdMode(); // silences tfjs's console hints only
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function backendDetails(): Promise<string[]> {
  const details = [`tfjs backend '${tf.getBackend()}'`];
  if (tf.getBackend() === 'wasm') {
    for (const [flag, label] of [
      ['WASM_HAS_SIMD_SUPPORT', 'SIMD'],
      ['WASM_HAS_MULTITHREAD_SUPPORT', 'threads'],
    ] as const) {
      try {
        details.push(`${label} ${(await tf.env().getAsync(flag)) ? 'yes' : 'no'}`);
      } catch {
        details.push(`${label} unknown`);
      }
    }
  }
  return details;
}

async function main() {
  const candidate = nodeCandidates.find((c) => c.id === spec.backend);
  if (!candidate) return post({ type: 'unavailable', reason: `no candidate with id ${spec.backend}` });
  try {
    await candidate.load();
  } catch (error) {
    return post({ type: 'unavailable', reason: messageOf(error) });
  }
  if (spec.kind === 'probe') {
    post({ type: 'ready', details: await backendDetails() });
    return post({ type: 'done' });
  }
  const model = MODELS.find((m) => m.key === spec.model)!.build();
  const step = spec.kind === 'train' ? trainStep(model, spec.batch) : inferStep(model, spec.batch);
  post({ type: 'ready', details: [] });
  await runSteps(
    () => step.run(),
    spec.plan,
    (timing) => post({ type: 'step', ...timing, tensors: tf.memory().numTensors }),
  );
  step.dispose();
  model.dispose();
  post({ type: 'done' });
}

main().catch((error: unknown) => post({ type: 'error', message: messageOf(error) }));
