import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { foldForInference } from '../../fold-for-inference.js';
import { modelInputContract, type InputContract } from '../../input-contract.js';
import { modelInputLayout } from '../../input-layout.js';
import { contractMetadata } from './onnx-contract.js';
import { refuseSharedLayers } from '../export-shared.js';
import { ModelExportError } from '../model-errors.js';
import { EXPORT_RULES, type LayerExport } from './onnx-export-rules.js';
import { encodeOnnx } from './onnx-proto.js';
import { OnnxWriter, valueInfo } from './onnx-writer.js';

export const ONNX_OPSET = 17;
const FORMAT = 'ONNX';

export interface OnnxExportOptions {
  /** Fold batch norms into the convolutions before them (inference only). */
  foldBatchNorm?: boolean;
  /** How the model expects its images, written into metadata_props; the model's own when absent. */
  contract?: InputContract;
  /**
   * Inputs and outputs in the engine's channels-last layout (NHWC): a Transpose after the input and before
   * each rank-4 output, so a runtime takes and gives the engine's tensors as they are (ONNX Runtime runs
   * the model's own NCHW graph between them). Forward passes use it; a model read from an NHWC file
   * (tf2onnx) gets it by default, so its users feed it as they fed the original. Otherwise NCHW.
   */
  channelsLast?: boolean;
  /** Intermediate tensors of `source` to add as graph outputs, after the model's own, named `probe_<i>`. */
  probes?: tfl.SymbolicTensor[];
}

/** NHWC engine shape -> ONNX NCHW shape (rank 4 only). */
export const nchw = (shape: (number | null)[]) => (shape.length === 4 ? [shape[0], shape[3], shape[1], shape[2]] : shape);

/**
 * An ONNX model (opset 17) of any model the engine holds: rank-4 tensors NCHW as PyTorch and ONNX Runtime
 * expect (the graph's input NHWC where the model came from an NHWC file), a dynamic batch axis, input and output
 * names from the engine's layer names (an imported ONNX file's names come back as they were).
 */
export async function exportOnnx(source: tfl.LayersModel, options: OnnxExportOptions = {}): Promise<Uint8Array> {
  refuseSharedLayers(source, FORMAT);
  const model = options.foldBatchNorm ? await foldForInference(source) : source;
  try {
    const writer = new OnnxWriter();
    const names = new Map<tfl.SymbolicTensor, string>();
    const key = (t: tfl.SymbolicTensor) => `${t.sourceLayer.name}:${t.outputTensorIndex ?? 0}`;
    const byKey = new Map<string, string>();
    const channelsLast = options.channelsLast ?? modelInputLayout(source) === 'nhwc';
    const toLast = (name: string, shape: (number | null)[], base: string) =>
      channelsLast && shape.length === 4 ? writer.node('Transpose', [name], base, { perm: [0, 2, 3, 1] })[0] : name;
    const inputs = model.inputs.map((t) => {
      const name = writer.name(t.sourceLayer.name);
      if (channelsLast && t.shape.length === 4) {
        // The input keeps its name (a user's pipeline feeds it by name); the graph reads its NCHW transpose.
        byKey.set(key(t), writer.node('Transpose', [name], `${name}_nchw`, { perm: [0, 3, 1, 2] })[0]);
        return valueInfo(name, t.shape);
      }
      byKey.set(key(t), name);
      return valueInfo(name, nchw(t.shape));
    });
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer') continue;
      const rule = EXPORT_RULES[layer.getClassName()];
      if (!rule) throw new ModelExportError(FORMAT, layer.name, `layer '${layer.name}' (${layer.getClassName()}) has no ONNX operator here`);
      const ins = (Array.isArray(layer.input) ? layer.input : [layer.input]).map((t) => ({ name: byKey.get(key(t))!, shape: t.shape }));
      const outs = Array.isArray(layer.output) ? layer.output : [layer.output];
      const context: LayerExport = {
        writer,
        layer,
        inputs: ins,
        outputShapes: outs.map((t) => t.shape),
        weights: layer.getWeights().map((w) => ({ values: w.dataSync(), shape: w.shape })),
      };
      const produced = rule(context);
      outs.forEach((t, i) => byKey.set(key(t), produced[i]));
    }
    const outputs = model.outputs.map((t) => {
      const wanted = t.sourceLayer.name;
      let name = byKey.get(key(t))!;
      if (channelsLast && t.shape.length === 4) return valueInfo(toLast(name, t.shape, wanted), t.shape);
      if (name !== wanted && !writer.nodes.some((n) => n.output?.includes(wanted))) name = writer.node('Identity', [name], wanted)[0];
      return valueInfo(name, nchw(t.shape));
    });
    (options.probes ?? []).forEach((t, i) => {
      const name = byKey.get(key(t));
      if (!name) throw new ModelExportError(FORMAT, t.sourceLayer.name, `tensor '${t.name}' is not computed by model '${model.name}'`);
      const out = channelsLast && t.shape.length === 4 ? toLast(name, t.shape, `probe_${i}`) : writer.node('Identity', [name], `probe_${i}`)[0];
      outputs.push(valueInfo(out, channelsLast ? t.shape : nchw(t.shape)));
    });
    void names;
    return encodeOnnx({
      ir_version: 8,
      producer_name: 'Pruneflow',
      opset_import: [{ domain: '', version: ONNX_OPSET }],
      metadata_props: contractMetadata(options.contract ?? modelInputContract(source)),
      graph: { name: model.name, node: writer.nodes, initializer: writer.initializers, input: inputs, output: outputs },
    });
  } finally {
    if (model !== source) model.dispose();
    void tf;
  }
}
