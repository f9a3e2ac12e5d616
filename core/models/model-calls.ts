import type * as tfl from '@tensorflow/tfjs-layers';

/** One call of a layer inside a model: a layer called twice (shared weights) has two. */
export interface LayerCall {
  layer: tfl.layers.Layer;
  inputs: tfl.SymbolicTensor[];
  outputs: tfl.SymbolicTensor[];
  /** How many times this model calls the layer. */
  calls: number;
  /** Which of them this is, from 0. */
  index: number;
}

/**
 * Every layer call of `model` in an order where each call's inputs are computed before it (a shared layer's
 * second call may come after layers listed later than the layer). Calls the layer makes in other models are left out.
 */
export function modelCalls(model: tfl.LayersModel): LayerCall[] {
  const known = new Set(model.inputs.map((t) => t.id));
  const pending = model.layers
    .filter((layer) => layer.getClassName() !== 'InputLayer')
    .flatMap((layer) => layer.inboundNodes.map((node) => ({ layer, inputs: node.inputTensors, outputs: node.outputTensors })));
  const ordered: Omit<LayerCall, 'calls' | 'index'>[] = [];
  for (let progress = true; progress && pending.length > 0;) {
    progress = false;
    for (let i = 0; i < pending.length;) {
      if (pending[i].inputs.length > 0 && pending[i].inputs.every((t) => known.has(t.id))) {
        const [call] = pending.splice(i, 1);
        call.outputs.forEach((t) => known.add(t.id));
        ordered.push(call);
        progress = true;
      } else i++;
    }
  }
  const counts = new Map<tfl.layers.Layer, number>();
  for (const { layer } of ordered) counts.set(layer, (counts.get(layer) ?? 0) + 1);
  const seen = new Map<tfl.layers.Layer, number>();
  return ordered.map((call) => {
    const index = seen.get(call.layer) ?? 0;
    seen.set(call.layer, index + 1);
    return { ...call, calls: counts.get(call.layer)!, index };
  });
}

/** Layers the model calls more than once (one set of weights used at several places). */
export function sharedLayers(model: tfl.LayersModel): { name: string; calls: number }[] {
  const out = new Map<string, number>();
  for (const { layer, calls } of modelCalls(model)) if (calls > 1) out.set(layer.name, calls);
  return [...out].map(([name, calls]) => ({ name, calls }));
}

/** Work that follows each layer's single input and output, asked of a model that calls a layer several times. */
export class SharedLayerError extends Error {
  override name = 'SharedLayerError';
  constructor(
    readonly layers: { name: string; calls: number }[],
    what: string,
  ) {
    const list = layers.map((l) => `'${l.name}' (called ${l.calls} times)`).join(', ');
    super(`The model shares layer${layers.length > 1 ? 's' : ''} ${list}: ${what}`);
  }
}
