import * as tfl from '@tensorflow/tfjs-layers';
import { OnnxNodeError, OnnxTensorError, UnsupportedOnnxOperatorError } from './onnx-errors.js';
import { GraphState, NodeContext } from './onnx-graph.js';
import type { Attrs } from './onnx-kernels.js';
import { AttributeType, type OnnxModel, type OnnxNode, type OnnxValueInfo } from './onnx-proto.js';
import { READ_OPERATORS, RULES, generic } from './onnx-rules.js';
import { readTensor, type ExternalReader } from './onnx-tensors.js';
import { GENERIC_OPS } from './onnx-kernels.js';
import { ModelFormatError } from '../model-errors.js';
import { rememberInputLayout } from '../../input-layout.js';

/** Opsets whose operators (as exported by torch.onnx and other converters) this importer reads. */
const OPSETS = { min: 7, max: 23 };

/**
 * Builds the engine's model from a decoded ONNX model: rank-4 tensors channels-last, kernels HWIO, dense
 * rows reordered after a flatten. Walks the nodes in the file's (topological) order; constant subgraphs
 * (the Shape/Gather/Unsqueeze/Concat chain of x.view(x.size(0), -1)) are folded first.
 */
export async function onnxToLayers(proto: OnnxModel, file: string, external: ExternalReader, warnings: string[]): Promise<tfl.LayersModel> {
  const graph = proto.graph!;
  const opset = proto.opset_import?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  if (opset !== undefined && (opset < OPSETS.min || opset > OPSETS.max))
    warnings.push(`${file}: opset ${opset} is outside the ${OPSETS.min}-${OPSETS.max} this reader was tested on`);
  const nodes = graph.node ?? [];
  const state = new GraphState(
    file,
    nodes,
    (graph.output ?? []).map((o) => o.name),
  );
  for (const tensor of graph.initializer ?? []) {
    try {
      state.consts.set(tensor.name ?? '', await readTensor(tensor, file, external));
    } catch (error) {
      const reader = state.consumers.get(tensor.name ?? '')?.[0];
      if (!(error instanceof OnnxTensorError) || !reader) throw error;
      throw new OnnxTensorError(file, error.tensor, error.detail, { node: reader.name || reader.op_type, op: reader.op_type });
    }
  }

  const inputs: tfl.SymbolicTensor[] = [];
  let nhwcInput = false;
  for (const info of graph.input ?? []) {
    if (state.consts.has(info.name)) continue; // old exports list initializers as inputs too
    // An NHWC input (TensorFlow converters) is read only through a Transpose to NCHW: the engine takes it as it is.
    const readers = state.consumers.get(info.name) ?? [];
    const nhwc =
      readers.length > 0 && readers.every((r) => r.op_type === 'Transpose' && r.attribute?.find((a) => a.name === 'perm')?.ints?.join() === '0,3,1,2');
    const tensor = tfl.input({ shape: engineShape(info, file, nhwc), name: state.uniqueName(info.name) });
    inputs.push(tensor);
    nhwcInput ||= nhwc;
    state.values.set(info.name, nhwc ? { tensor, nhwc } : { tensor });
  }
  if (inputs.length === 0) throw new ModelFormatError(file, 'has no graph input that is not an initializer');

  for (const node of nodes) {
    if (state.done.has(node)) continue;
    const name = node.name || `${node.op_type}_${node.output?.[0] ?? ''}`;
    if (node.domain && node.domain !== 'ai.onnx') {
      throw new UnsupportedOnnxOperatorError(file, name, node.op_type, `is in operator domain '${node.domain}', which Pruneflow does not read`);
    }
    const context = new NodeContext(state, node, await attrsOf(node, name, file, external));
    if (node.op_type === 'Constant') {
      context.outputConst(await constantOf(node, file, external, context));
      continue;
    }
    // Constant subgraphs fold first, whatever the operator's rule for graph tensors.
    const foldable = GENERIC_OPS.has(node.op_type) && context.inputs.every((_, i) => !context.has(i) || context.isConst(i));
    const rule = foldable ? generic : (RULES[node.op_type] ?? (GENERIC_OPS.has(node.op_type) ? generic : undefined));
    if (!rule) {
      throw new UnsupportedOnnxOperatorError(file, name, node.op_type, `is an operator Pruneflow does not read. Operators read: ${READ_OPERATORS.join(', ')}`);
    }
    try {
      rule(context);
    } catch (error) {
      if (error instanceof Error && error.name.startsWith('Onnx')) throw error;
      throw context.error(`cannot be converted: ${(error as Error).message}`);
    }
  }
  const outputs = (graph.output ?? []).map((o) => {
    const value = state.values.get(o.name);
    if (!value) throw new ModelFormatError(file, `graph output '${o.name}' is ${state.consts.has(o.name) ? 'a constant' : 'produced by no node'}`);
    return state.ordered(value, file).tensor;
  });
  const model = tfl.model({ inputs, outputs, name: state.uniqueName(graph.name || 'onnx_model') });
  // Fed channels-last by its users: an ONNX export takes NHWC again.
  if (nhwcInput) rememberInputLayout(model, 'nhwc');
  return model;
}

/** The engine's per-image shape of a graph input: [C, H, W] becomes [H, W, C]; the batch axis is dropped. */
function engineShape(info: OnnxValueInfo, file: string, nhwc = false): (number | null)[] {
  const dims = info.type?.tensor_type?.shape?.dim ?? [];
  if (dims.length === 0) throw new ModelFormatError(file, `graph input '${info.name}' has no shape`);
  const sizes = dims.slice(1).map((d) => (d.dim_value ? Number(d.dim_value) : null));
  return sizes.length === 3 && !nhwc ? [sizes[1], sizes[2], sizes[0]] : sizes;
}

/** Attributes as JSON with camelCase keys and no underscores in strings (tfjs camel-cases saved configs). */
async function attrsOf(node: OnnxNode, name: string, file: string, external: ExternalReader): Promise<Attrs> {
  const attrs: Attrs = {};
  for (const a of node.attribute ?? []) {
    // proto3 leaves out empty fields: a damaged file can hold an attribute without its name, or a tensor attribute without its tensor.
    if (!a.name) throw new OnnxNodeError(file, name, node.op_type, 'has an attribute without a name (the file is damaged)');
    if (a.type === AttributeType.TENSOR && !a.t)
      throw new OnnxNodeError(file, name, node.op_type, `has a tensor attribute '${a.name}' without its tensor (the file is damaged)`);
    const key = a.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    switch (a.type) {
      case AttributeType.FLOAT:
        attrs[key] = a.f ?? 0;
        break;
      case AttributeType.INT:
        attrs[key] = a.i ?? 0;
        break;
      case AttributeType.STRING:
        attrs[key] = new TextDecoder().decode(a.s ?? new Uint8Array()).replace(/_/g, '');
        break;
      case AttributeType.FLOATS:
        attrs[key] = a.floats ?? [];
        break;
      case AttributeType.INTS:
        attrs[key] = a.ints ?? [];
        break;
      case AttributeType.TENSOR: {
        const t = await readTensor(a.t!, file, external); // checked above
        attrs[key] = { dims: t.dims, values: Array.from(t.values) };
        break;
      }
    }
  }
  return attrs;
}

async function constantOf(node: OnnxNode, file: string, external: ExternalReader, context: NodeContext) {
  const a = node.attribute?.[0];
  if (a?.t) return readTensor(a.t, file, external);
  if (a?.name === 'value_float') return { dims: [], values: Float32Array.of(a.f ?? 0), integer: false };
  if (a?.name === 'value_floats') return { dims: [a.floats?.length ?? 0], values: Float32Array.from(a.floats ?? []), integer: false };
  if (a?.name === 'value_int') return { dims: [], values: Float64Array.of(a.i ?? 0), integer: true };
  if (a?.name === 'value_ints') return { dims: [a.ints?.length ?? 0], values: Float64Array.from(a.ints ?? []), integer: true };
  throw context.error(`holds a constant of a kind Pruneflow does not read (${a?.name ?? 'no value'})`);
}
