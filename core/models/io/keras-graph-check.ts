import type { KerasTopology } from './keras-config.js';
import { ModelFormatError } from './model-errors.js';

/**
 * Checks that a functional model's call graph can be built, as TensorFlow.js builds it: every inbound
 * reference names a layer of the model and one of its calls, and every call can be reached (no
 * cycles). TensorFlow.js (Container.fromConfig) retries unresolved calls in a loop that never ends when
 * one cannot be resolved, so a damaged config would hang the import instead of failing.
 */
export function checkCallGraph(topology: KerasTopology, file: string): void {
  if (topology.class_name === 'Sequential') return;
  const { layers } = topology.config;
  const calls = new Map<string, number>();
  for (const layer of layers) {
    if (calls.has(layer.name)) throw new ModelFormatError(file, `two layers are named '${layer.name}'`);
    // An InputLayer exists as a call of its own; every other layer's calls come from its inbound nodes.
    calls.set(layer.name, layer.class_name === 'InputLayer' ? 1 : 0);
  }
  const pending = new Map<string, Ref[][]>();
  for (const layer of layers) {
    const nodes = layer.inbound_nodes ?? [];
    if (!Array.isArray(nodes)) throw new ModelFormatError(file, `layer '${layer.name}' has inbound_nodes that are not a list`);
    pending.set(
      layer.name,
      nodes.map((node) => refsOf(node, layer.name, file)),
    );
  }
  const resolvable = (ref: Ref) => (calls.get(ref[0]) ?? 0) > ref[1];
  for (let progress = true; progress;) {
    progress = false;
    for (const [name, nodes] of pending) {
      const waiting = nodes.filter((refs) => {
        if (!refs.every(resolvable)) return true;
        // A node with no inputs makes no call (TensorFlow.js applies a layer only to some input).
        if (refs.length > 0) calls.set(name, calls.get(name)! + 1);
        progress = true;
        return false;
      });
      if (waiting.length > 0) pending.set(name, waiting);
      else pending.delete(name);
    }
  }
  for (const [name, nodes] of pending) {
    const ref = nodes[0].find((r) => !resolvable(r))!;
    const source = ref[0];
    throw new ModelFormatError(
      file,
      calls.has(source)
        ? `layer '${name}' takes call ${ref[1]} of layer '${source}', which the model never makes (a cycle, or a call that does not exist)`
        : `layer '${name}' takes its input from '${source}', which is no layer of the model`,
    );
  }
  for (const key of ['input_layers', 'output_layers'] as const) {
    for (const ref of (topology.config[key] ?? []) as unknown[][]) {
      if (!calls.has(ref[0] as string))
        throw new ModelFormatError(file, `the model's ${key === 'input_layers' ? 'input' : 'output'} '${String(ref[0])}' is no layer of the model`);
    }
  }
}

/** A call's input: [layer, call index, tensor index, kwargs?]. */
type Ref = [string, number, number, ...unknown[]];

function refsOf(node: unknown, layer: string, file: string): Ref[] {
  const bad = () =>
    new ModelFormatError(
      file,
      `layer '${layer}' has an inbound node that is not a list of [layer, call, tensor] references: ${String(JSON.stringify(node)).slice(0, 120)}`,
    );
  if (!Array.isArray(node)) throw bad();
  for (const ref of node) {
    if (
      !Array.isArray(ref) ||
      typeof ref[0] !== 'string' ||
      !Number.isInteger(ref[1]) ||
      (ref[1] as number) < 0 ||
      !Number.isInteger(ref[2]) ||
      (ref[2] as number) < 0
    )
      throw bad();
  }
  return node as Ref[];
}
