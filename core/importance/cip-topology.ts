import type * as tfl from '@tensorflow/tfjs-layers';
import { layerKind } from '../graph/layer-kinds.js';
import { SharedLayerError, sharedLayers } from '../models/model-calls.js';

type Layer = tfl.layers.Layer;
type SymbolicTensor = tfl.SymbolicTensor;

/**
 * The model tensor by tensor, as CIP walks it. The channel graph keeps groups and weighted layers only;
 * the residual split needs the inputs of each Add and their statistics, so the walk reads the tfjs graph
 * itself and uses the channel graph for group membership.
 */
export interface Topology {
  /** Layers in topological order, input layers left out. */
  layers: Layer[];
  /** Layers that read each tensor, by tensor key. */
  readers: Map<string, Layer[]>;
  /** Positions per channel, by tensor key: above 1 after a flatten (channels-last order). */
  spatial: Map<string, number>;
}

export const tensorKey = (t: SymbolicTensor): string => `${t.sourceLayer.name}:${t.outputTensorIndex ?? 0}`;
export const inputsOf = (layer: Layer): SymbolicTensor[] => (Array.isArray(layer.input) ? layer.input : [layer.input]);
export const outputsOf = (layer: Layer): SymbolicTensor[] => (Array.isArray(layer.output) ? layer.output : [layer.output]);
export const isModelInput = (t: SymbolicTensor): boolean => t.sourceLayer.getClassName() === 'InputLayer';

/** Why CIP's walk (the CIP and NISP criteria, the importance flow) cannot take a model that calls a layer twice. */
export const ONE_CALL_REASON = 'the CIP and flow criteria follow each layer through one call; choose another criterion (l1, taylor or hrank) for this model';

/** Throws SharedLayerError, naming the layers, when `model` calls a layer more than once. */
export function assertOneCallPerLayer(model: tfl.LayersModel): void {
  const shared = sharedLayers(model);
  if (shared.length > 0) throw new SharedLayerError(shared, ONE_CALL_REASON);
}

export function readTopology(model: tfl.LayersModel): Topology {
  assertOneCallPerLayer(model);
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const readers = new Map<string, Layer[]>();
  const spatial = new Map<string, number>();
  for (const layer of layers) {
    const inputs = inputsOf(layer);
    for (const t of inputs) readers.set(tensorKey(t), [...(readers.get(tensorKey(t)) ?? []), layer]);
    const kind = layerKind(layer);
    const inSpatial = spatial.get(tensorKey(inputs[0])) ?? 1;
    let positions = 1;
    if (kind === 'flatten') positions = inSpatial * inputs[0].shape.slice(1, -1).reduce((a: number, b) => a * (b ?? 1), 1);
    else if ((kind === 'passthrough' || kind === 'channelwise') && inputs.length === 1) positions = inSpatial;
    for (const out of outputsOf(layer)) spatial.set(tensorKey(out), positions);
  }
  return { layers, readers, spatial };
}

/** Channels of a tensor: its last axis, over the positions a flatten spread each channel across. */
export function channelsOf(topology: Topology, t: SymbolicTensor): number {
  return (t.shape[t.shape.length - 1] as number) / (topology.spatial.get(tensorKey(t)) ?? 1);
}

function soleReader(topology: Topology, t: SymbolicTensor): Layer | undefined {
  const readers = topology.readers.get(tensorKey(t)) ?? [];
  return readers.length === 1 ? readers[0] : undefined;
}

/** The batch norm that reads `layer`'s output directly: its fold is s_d (section 3) and kappa (section 2). */
export function followingBatchNorm(topology: Topology, layer: Layer): Layer | undefined {
  const reader = soleReader(topology, outputsOf(layer)[0]);
  return reader?.getClassName() === 'BatchNormalization' ? reader : undefined;
}

const ACTIVATIONS = new Set(['Activation', 'ReLU', 'LeakyReLU', 'ELU']);

/**
 * A^l of section 1: the producer's output after its batch norm and activation, before any pooling,
 * merge or second reader (for a residual branch's last conv: the branch output before the add).
 */
export function postActivation(topology: Topology, layer: Layer): SymbolicTensor {
  let t = outputsOf(layer)[0];
  for (let next = soleReader(topology, t); next; next = soleReader(topology, t)) {
    if (next.getClassName() !== 'BatchNormalization' && !ACTIVATIONS.has(next.getClassName())) break;
    t = outputsOf(next)[0];
  }
  return t;
}

/**
 * Layers the walk scores as writers: producers, and grouped convolutions (a plain convolution whose weights
 * between different conv groups are 0: its P is block-diagonal, so importance flows within each group only).
 */
export function isWriter(layer: Layer): boolean {
  const kind = layerKind(layer);
  return kind === 'producer' || kind === 'grouped';
}

/** Producers that make a model output (through activations only): I_k = 1/K there (section 3, head). */
export function headProducers(model: tfl.LayersModel): Set<string> {
  const heads = new Set<string>();
  for (const output of model.outputs) {
    let layer = output.sourceLayer as Layer;
    while (layerKind(layer) === 'passthrough' && inputsOf(layer).length === 1) layer = inputsOf(layer)[0].sourceLayer as Layer;
    if (isWriter(layer)) heads.add(layer.name);
  }
  return heads;
}
