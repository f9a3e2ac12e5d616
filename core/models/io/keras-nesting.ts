import type { KerasLayer, KerasTopology } from './keras-config.js';
import { kerasSaveablePath } from './keras3-paths.js';
import { ModelFormatError } from './model-errors.js';

type Json = Record<string, unknown>;
/** A tensor in a Keras 2 config: [layer, call (node) index, output index]. */
type Ref = [string, number, number];

/** Where a layer of the flattened model sat in the file, so its weights can be found there. */
export interface LayerOrigin {
  /** Its name in the file (the flattened model renames a layer only when two nested models use the same name). */
  name: string;
  /** The layer of the top-level model that holds it: the outermost nested model, or the layer itself. */
  topLayer: string;
  /** Its Keras 3 weight path: layers/<class>[_n] per level ('layers/sequential/layers/conv2d'). */
  keras3Path: string;
}

export const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);
export const isModelEntry = (layer: KerasLayer) => MODEL_CLASSES.has(layer.class_name);

interface Container {
  /** Unique per nested model in the file (one model called twice is one container: its layers are shared). */
  key: string;
  topLayer?: string;
  keras3Path: string;
}

/**
 * Turns a model that holds models (Sequential in Sequential, functional in Sequential, the reverse, and
 * deeper) into one functional graph of plain layers that keep their names. A nested model called twice
 * makes its layers shared layers (one layer, two calls), as in Keras.
 */
export function flattenModel(model: KerasTopology, file: string): { topology: KerasTopology; origins: Map<string, LayerOrigin> } {
  const layers: KerasLayer[] = [];
  const byKey = new Map<string, KerasLayer>();
  const origins = new Map<string, LayerOrigin>();
  const taken = new Set<string>();
  const paths = new WeakMap<KerasLayer, string>();
  const fail = (detail: string) => new ModelFormatError(file, detail);

  /** Keras 3 numbers a container's layers by class; Sequential leaves out its InputLayer. */
  const numberLayers = (entries: KerasLayer[], sequential: boolean, prefix: string) => {
    if (entries.length > 0 && paths.has(entries[0])) return;
    const pathOf = kerasSaveablePath();
    for (const entry of entries) {
      if (sequential && entry.class_name === 'InputLayer') continue;
      paths.set(entry, `${prefix}layers/${pathOf(entry.class_name === 'Model' ? 'Functional' : entry.class_name)}`);
    }
  };

  const uniqueName = (name: string, scope: string) => {
    let out = taken.has(name) && scope ? `${scope}_${name}` : name;
    for (let i = 1; taken.has(out); i++) out = `${name}_${i}`;
    taken.add(out);
    return out;
  };

  /** One call of a plain layer on `inputs`; returns its output's ref (node index of this call). */
  const call = (entry: KerasLayer, inputs: Ref[], kwargs: Json, container: Container, scopeName: string): Ref => {
    const key = `${container.key}/${entry.name}`;
    let layer = byKey.get(key);
    if (!layer) {
      const name = uniqueName(entry.name, scopeName);
      const config: Json = { ...entry.config, name };
      if (entry.class_name !== 'InputLayer') delete config.batch_input_shape;
      layer = { class_name: entry.class_name, name, config, inbound_nodes: [] };
      byKey.set(key, layer);
      layers.push(layer);
      origins.set(name, { name: entry.name, topLayer: container.topLayer ?? entry.name, keras3Path: paths.get(entry) ?? `layers/${entry.name}` });
    }
    if (entry.class_name !== 'InputLayer') layer.inbound_nodes!.push(inputs.map((r) => [...r, kwargs]));
    return [layer.name, Math.max(0, layer.inbound_nodes!.length - 1), 0];
  };

  const ids = new Map<KerasLayer, number>();
  const idOf = (entry: KerasLayer) => ids.get(entry) ?? (ids.set(entry, ids.size + 1), ids.size);
  const nested = (entry: KerasLayer, parent: Container): Container => ({
    key: `${parent.key}/${idOf(entry)}`,
    topLayer: parent.topLayer ?? entry.name,
    keras3Path: `${paths.get(entry)}/`,
  });

  const inline = (entry: KerasLayer, inputs: Ref[] | undefined, container: Container): Ref[] =>
    entry.class_name === 'Sequential' ? [sequential(entry, inputs, container)] : functional(entry, inputs, container);

  const sequential = (entry: KerasLayer, inputs: Ref[] | undefined, container: Container): Ref => {
    const entries = entry.config.layers as KerasLayer[];
    numberLayers(entries, true, container.keras3Path);
    let current: Ref;
    if (inputs) {
      if (inputs.length !== 1) throw fail(`the nested Sequential model '${entry.name}' is called with ${inputs.length} inputs`);
      current = inputs[0];
    } else {
      const input = entries[0]?.class_name === 'InputLayer' ? entries[0] : inputLayerFor(entry, file);
      current = call(input, [], {}, container, '');
    }
    for (const layer of entries) {
      if (layer.class_name === 'InputLayer') continue;
      current = isModelEntry(layer) ? one(inline(layer, [current], nested(layer, container)), layer) : call(layer, [current], {}, container, entry.name);
    }
    return current;
  };

  const one = (refs: Ref[], layer: KerasLayer): Ref => {
    if (refs.length !== 1) throw fail(`the nested model '${layer.name}' has ${refs.length} outputs where a Sequential model needs one`);
    return refs[0];
  };

  const functional = (entry: KerasLayer, inputs: Ref[] | undefined, container: Container): Ref[] => {
    const entries = entry.config.layers as KerasLayer[];
    numberLayers(entries, false, container.keras3Path);
    const inputRefs = (entry.config.input_layers ?? []) as Ref[];
    const outputRefs = (entry.config.output_layers ?? []) as Ref[];
    /** "<layer>:<node>" -> the flattened refs of that call's outputs. */
    const done = new Map<string, (t: number) => Ref>();
    if (inputs && inputs.length !== inputRefs.length)
      throw fail(`the nested model '${entry.name}' takes ${inputRefs.length} inputs but is called with ${inputs.length}`);
    inputRefs.forEach(([name], i) => {
      const layer = entries.find((l) => l.name === name);
      if (!layer) throw fail(`the model '${entry.name}' names an input layer '${name}' it does not hold`);
      const ref = inputs ? inputs[i] : call(layer, [], {}, container, '');
      done.set(`${name}:0`, (t) => (t === 0 ? ref : [ref[0], ref[1], t]));
    });
    const pending = entries.flatMap((layer) => (layer.inbound_nodes ?? []).map((node, k) => ({ layer, k, node: node as unknown[][] })));
    while (pending.length > 0) {
      const before = pending.length;
      for (let i = 0; i < pending.length; i++) {
        const { layer, k, node } = pending[i];
        const resolved = node.map(([source, n, t]) => done.get(`${source}:${n}`)?.(t as number));
        if (resolved.some((r) => r === undefined)) continue;
        pending.splice(i--, 1);
        const refs = resolved as Ref[];
        if (isModelEntry(layer)) {
          const outs = inline(layer, refs, nested(layer, container));
          done.set(`${layer.name}:${k}`, (t) => outs[t]);
        } else {
          const kwargs = (node[0]?.[3] ?? {}) as Json;
          const out = call(layer, refs, kwargs, container, entry.name);
          done.set(`${layer.name}:${k}`, (t) => [out[0], out[1], t]);
        }
      }
      if (pending.length === before) {
        const stuck = pending
          .map((p) => `'${p.layer.name}'`)
          .slice(0, 3)
          .join(', ');
        throw fail(`the model '${entry.name}' has calls whose inputs are never computed (${stuck}): a cycle or a missing layer`);
      }
    }
    return outputRefs.map(([name, n, t]) => {
      const ref = done.get(`${name}:${n}`)?.(t);
      if (!ref) throw fail(`the model '${entry.name}' names an output '${name}' that is never computed`);
      return ref;
    });
  };

  const top: KerasLayer = { class_name: model.class_name, name: model.config.name ?? 'model', config: model.config };
  const root: Container = { key: '', keras3Path: '' };
  const outputs = inline(top, undefined, root);
  const inputLayers = layers.filter((l) => l.class_name === 'InputLayer').map((l): Ref => [l.name, 0, 0]);
  return {
    topology: { class_name: 'Functional', config: { name: top.name, layers, input_layers: inputLayers, output_layers: outputs } },
    origins,
  };
}

/** A Sequential model's input as an InputLayer: from its first layer's batch_input_shape, nested or not. */
function inputLayerFor(model: KerasLayer, file: string): KerasLayer {
  const shape = firstShape(model);
  if (!shape) throw new ModelFormatError(file, `the Sequential model '${model.name}' does not say its input shape (no batch_input_shape on its first layer)`);
  const name = `${model.name}_input`;
  return { class_name: 'InputLayer', name, config: { batch_input_shape: shape.shape, dtype: shape.dtype ?? 'float32', sparse: false, name } };
}

function firstShape(entry: KerasLayer): { shape: unknown; dtype?: unknown } | undefined {
  const { config } = entry;
  if (config.batch_input_shape != null) return { shape: config.batch_input_shape, dtype: config.dtype };
  if (!isModelEntry(entry)) return undefined;
  const entries = (config.layers ?? []) as KerasLayer[];
  if (entry.class_name === 'Sequential') return entries[0] && firstShape(entries[0]);
  const [first] = (config.input_layers ?? []) as Ref[];
  const input = first && entries.find((l) => l.name === first[0]);
  return input && firstShape(input);
}
