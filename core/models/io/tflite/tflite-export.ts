import type * as tfl from '@tensorflow/tfjs-layers';
import { foldForInference } from '../../fold-for-inference.js';
import { refuseSharedLayers } from '../export-shared.js';
import { ModelExportError } from '../model-errors.js';
import { TfliteGraph } from './tflite-builder.js';
import { TFLITE_RULES, type LayerExport } from './tflite-export-rules.js';

const FORMAT = 'TensorFlow Lite (.tflite)';
const key = (t: tfl.SymbolicTensor) => `${t.sourceLayer.name}:${t.outputTensorIndex ?? 0}`;
const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

/** Fails, naming the layer, when a layer of `model` has no TFLite operators here: before a run, not after it. */
export function checkTfliteLayers(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const rule = TFLITE_RULES[className];
    const problem = rule ? rule.check?.(layer.getConfig() as Record<string, unknown>, layer) : 'has no TFLite operator here';
    if (problem)
      throw new ModelExportError(
        FORMAT,
        layer.name,
        `layer '${layer.name}' (${className}) ${problem}. What to do: choose another export format (ONNX writes every layer).`,
      );
  }
}

/**
 * A float32 TensorFlow Lite model (schema version 3) of `source`: batch norms folded into the convolutions
 * and dense layers before them, ReLU/ReLU6 fused where TFLite can; NHWC as the engine; a dynamic batch
 * (-1 in each tensor's shape signature); tensor names from the engine's layer names.
 */
export async function exportTflite(source: tfl.LayersModel, options: { foldBatchNorm?: boolean } = {}): Promise<Uint8Array> {
  checkTfliteLayers(source);
  refuseSharedLayers(source, FORMAT);
  const model = options.foldBatchNorm === false ? source : await foldForInference(source);
  try {
    const graph = new TfliteGraph();
    const tensors = new Map<string, number>();
    const inputs = model.inputs.map((t) => {
      const index = graph.activation(t.sourceLayer.name, t.shape);
      tensors.set(key(t), index);
      return index;
    });
    for (const layer of model.layers) {
      const className = layer.getClassName();
      if (className === 'InputLayer') continue;
      const rule = TFLITE_RULES[className];
      if (!rule) throw new ModelExportError(FORMAT, layer.name, `layer '${layer.name}' (${className}) has no TFLite operator here`);
      const outs = list(layer.output as tfl.SymbolicTensor | tfl.SymbolicTensor[]);
      const context: LayerExport = {
        graph,
        layer,
        inputs: list(layer.input as tfl.SymbolicTensor | tfl.SymbolicTensor[]).map((t) => ({ tensor: tensors.get(key(t))!, shape: t.shape })),
        outputShapes: outs.map((t) => t.shape),
        weights: layer.getWeights().map((w) => ({ values: w.dataSync(), shape: w.shape })),
      };
      rule.write(context).forEach((index, i) => tensors.set(key(outs[i]), index));
    }
    const outputs = model.outputs.map((t) => tensors.get(key(t))!);
    return graph.finish(model.name, inputs, outputs, 'Pruneflow');
  } finally {
    if (model !== source) model.dispose();
  }
}
