import type * as tfl from '@tensorflow/tfjs-layers';
import type { PruneConfig } from '../api/contract.js';
import { type AssetReader, loadBuiltinSample } from '../data/builtin-sample.js';
import type { FileTree } from '../data/file-tree.js';
import { openDataset } from '../data/formats/index.js';
import type { ImageKind } from '../data/formats/dataset-format.js';
import type { ImageDataset } from '../data/image-dataset.js';
import { HELD_OUT_PERCENT } from '../data/preview.js';
import { sampleStratified, trainTestSplit } from '../data/splits.js';
import { checkInputFit, describeInputFit } from '../api/input-fit.js';
import { modelInput } from '../graph/preflight.js';
import { fitImages } from '../data/fit-images.js';
import { matchClassOrder, relabel } from '../data/class-order.js';
import { modelInputContract } from '../models/input-contract.js';
import { loadModel } from './model-source.js';
import type { ParallelTraining } from '../train/fit.js';
import type { ProjectStore } from '../project/project-store.js';
import type { ForwardEngine } from '../backend/forward-runner.js';
import { type ImageDecoder, inlineDecoder } from '../data/streaming/decode-record.js';
import type { ResidentMemory } from '../data/streaming/memory-budget.js';
import { fallback } from '../api/run-options.js';

/** What a run needs from its host: bundled assets, and files where the host has a file system. */
export interface RunHost {
  readAsset: AssetReader;
  openDataSource?(path: string): Promise<FileTree>;
  openModelSource?(path: string): Promise<FileTree>;
  /** Extra training engines (worker threads), used for baseline training on the wasm backend. */
  trainingReplicas?: ParallelTraining;
  /** Writes files into a folder atomically, as the host's write policy allows; returns the paths written. */
  writeFiles?(folder: string, files: { name: string; bytes: Uint8Array }[]): Promise<string[]>;
  /**
   * Checks, before a run, that a file (a project) or a folder (an export, checkpoints) may be written
   * there, with a named error if not: the policy's refusals, a file where a folder should be, a broken link.
   */
  checkWrite?(path: string, kind: 'file' | 'folder'): Promise<void>;
  /** Reads and saves project files (.pruneflow). */
  projects?: ProjectStore;
  /** The machine and runtime versions, for a session's record. */
  describeEnvironment?(): { machine: Record<string, string>; versions: Record<string, string> };
  /** A store for results worth keeping between runs (sensitivity tables), by key of [a-z0-9-]. */
  cache?: RunCache;
  /** An engine faster than tfjs for forward-only work (ONNX Runtime in Node hosts); tfjs runs it without one. */
  forwardEngine?: ForwardEngine;
  /** Decodes the images of streamed data sets off the engine's thread (worker threads in Node); this thread without. */
  imageDecoder?: ImageDecoder;
  /** The process's resident memory now, so that the data memory budget covers the whole process (absent: the images' alone). */
  residentMemory?: ResidentMemory;
}

export interface RunCache {
  /** The bytes stored under `key`, or undefined when there are none. */
  read(key: string): Promise<Uint8Array | undefined>;
  write(key: string, bytes: Uint8Array): Promise<void>;
}

export const BUILTIN_DATA = 'builtin:fashion-mnist';

/**
 * Which images a run tests on must not depend on its seed: sessions with other seeds are compared on the
 * same held-out images and the same quick-trial sample.
 */
const SPLIT_SEED = 1;

export class InputMismatchError extends Error {
  override name = 'InputMismatchError';
}

export interface RunData {
  label: string;
  train: ImageDataset;
  test: ImageDataset;
  imageKind: ImageKind;
  warnings: string[];
}

export async function loadRunData(config: PruneConfig, host: RunHost): Promise<RunData> {
  const data = await loadAllRunData(config, host);
  if (!config.sample) return data;
  const train = sampleStratified(data.train, config.sample.train, SPLIT_SEED);
  const test = sampleStratified(data.test, config.sample.test, SPLIT_SEED + 1);
  return { ...data, train, test, warnings: [...data.warnings, `quick trial on a sample: ${train.count} training and ${test.count} test images`] };
}

async function loadAllRunData(config: PruneConfig, host: RunHost): Promise<RunData> {
  if (config.data === BUILTIN_DATA) {
    const { train, test } = await loadBuiltinSample(host.readAsset);
    return { label: 'Fashion-MNIST sample', train, test, imageKind: 'digits', warnings: [] };
  }
  if (!host.openDataSource) throw new Error('This engine host cannot open data sets by path.');
  // Image folders larger than what the budget leaves them stream from disk (core/data/streaming/).
  const stream = {
    budget: (config.dataMemoryBudget ?? fallback('dataMemoryBudget')) * 2 ** 20,
    decoder: host.imageDecoder ?? inlineDecoder(),
    residentMemory: host.residentMemory,
  };
  const loaded = await openDataset(await host.openDataSource(config.data), { stream });
  const { train, test, heldOut } = trainTestSplit(loaded, HELD_OUT_PERCENT / 100, SPLIT_SEED);
  const warnings = heldOut ? [...loaded.warnings, `no test split: ${HELD_OUT_PERCENT}% of the images were held out for testing`] : loaded.warnings;
  return { label: loaded.format, train, test, imageKind: loaded.imageKind ?? 'natural', warnings };
}

/** The data and the model of a run, the data fitted to the model where `config.fitInput` asks (see `loadRunModel`). */
export async function loadRunInputs(
  config: PruneConfig,
  host: RunHost,
  open?: () => Promise<tfl.LayersModel>,
): Promise<{ data: RunData; model: tfl.LayersModel }> {
  const data = await loadRunData(config, host);
  return loadRunModel(config, data, host, open);
}

/**
 * A built-in model shaped for the data, or a model file (or `open`'s model) whose input must match the
 * data: a mismatch is an `InputMismatchError` before any work, saying what differs and what to do, unless
 * `config.fitInput` asks to resize and convert the images to the model's input (then `data` is the fitted data).
 */
export async function loadRunModel(
  config: PruneConfig,
  data: RunData,
  host: RunHost,
  open?: () => Promise<tfl.LayersModel>,
): Promise<{ data: RunData; model: tfl.LayersModel }> {
  const { train, test } = data;
  const input = { inputShape: [train.height, train.width, train.channels] as [number, number, number], numClasses: train.classNames.length, seed: config.seed };
  const model = open ? await open() : await loadModel(config.model, host, input);
  const classes = modelInput(model).classes;
  if (config.classNames && classes !== null && config.classNames.length !== classes) {
    model.dispose();
    throw new InputMismatchError(
      `${config.classNames.length} class names were given (--class-names) but ${config.model} predicts ${classes} classes: give one name per output, in order`,
    );
  }
  const fit = checkInputFit(modelInput(model), { height: train.height, width: train.width, channels: train.channels, classes: train.classNames.length });
  if (fit.problems.length === 0) return { data: inModelClassOrder(data, model, config.classNames), model };
  if (!config.fitInput || !fit.fixable) {
    model.dispose();
    throw new InputMismatchError(`${config.model} does not fit the data set. ${describeInputFit(fit)}`);
  }
  const fitted = { ...data, train: fitImages(train, fit.target), test: fitImages(test, fit.target) };
  return {
    model,
    data: inModelClassOrder(
      { ...fitted, warnings: [...data.warnings, `images fitted to the model: ${fit.problems.map((p) => p.fix).join(' ')}`] },
      model,
      config.classNames,
    ),
  };
}

/**
 * The data's labels in the order of the classes the model names (the user's `classNames`, else its file's labels),
 * where both name them (core/data/class-order.ts).
 */
function inModelClassOrder(data: RunData, model: tfl.LayersModel, classNames: string[] | undefined): RunData {
  const labels = classNames ?? modelInputContract(model)?.labels;
  if (!labels) return data;
  const order = matchClassOrder(labels, data.train.classNames);
  if (order.kind === 'same') return data;
  if (order.kind === 'unmatched') return { ...data, warnings: [...data.warnings, order.message] };
  return { ...data, train: relabel(data.train, order.toModel), test: relabel(data.test, order.toModel), warnings: [...data.warnings, order.message] };
}

/**
 * The engines a run trains on: the host's replicas (one per core) on the wasm backend, as many as the
 * `trainingEngines` setting allows; undefined (one engine) when it is 1 or the host has none.
 */
export function trainingEnginesFor(
  config: Pick<PruneConfig, 'trainingEngines'>,
  context: { backend: string; trainingReplicas?: ParallelTraining },
): ParallelTraining | undefined {
  const host = context.backend === 'wasm' ? context.trainingReplicas : undefined;
  if (!host) return undefined;
  const replicas = config.trainingEngines ?? host.replicas;
  return replicas > 1 ? { ...host, replicas } : undefined;
}
