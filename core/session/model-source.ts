import type * as tfl from '@tensorflow/tfjs-layers';
import { MODEL_ZOO, UnknownModelError, zooEntry } from '../models/zoo.js';
import { importModel } from '../models/io/import-model.js';
import type { ModelInput } from '../models/demo-cnn.js';
import type { RunHost } from './run-inputs.js';

/** Input shape of each built-in model as the engine builds it by name: CIFAR size, 10 classes. */
const DEFAULT_INPUT = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
const DEMO_INPUT = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };

/**
 * A model by built-in name ("resnet56"), built for `input` (default: the shape its papers use), or, where the
 * host reads files, by path (model.json, .h5, .keras).
 */
export async function loadModel(source: string, host: Pick<RunHost, 'openModelSource'>, input?: ModelInput): Promise<tfl.LayersModel> {
  if (MODEL_ZOO.some((e) => e.id === source)) return zooEntry(source).build(input ?? (source === 'demo-cnn' ? DEMO_INPUT : DEFAULT_INPUT));
  const builtIn = `Built-in models: ${MODEL_ZOO.map((e) => e.id).join(', ')}.`;
  if (!/[\\/.]/.test(source)) throw new UnknownModelError(`No built-in model '${source}'. ${builtIn}`);
  if (!host.openModelSource) throw new UnknownModelError(`This engine host cannot open model files; ${builtIn}`);
  return (await importModel(await host.openModelSource(source))).model;
}
