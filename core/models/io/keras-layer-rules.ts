import * as tf from '@tensorflow/tfjs-core';

type Json = Record<string, unknown>;
/** Rewrites one layer config in place to what TensorFlow.js reads, or throws what it cannot express. */
type Rule = (config: Json, unsupported: (detail: string) => Error) => void;

const rename = (config: Json, from: string, to: string) => {
  if (from in config) {
    config[to] ??= config[from];
    delete config[from];
  }
};
const nonZero = (value: unknown) => typeof value === 'number' && value !== 0;

function noGroups(config: Json, unsupported: (detail: string) => Error) {
  if (typeof config.groups === 'number' && config.groups > 1)
    throw unsupported(`is a grouped convolution (groups=${config.groups}), which TensorFlow.js lacks`);
  delete config.groups;
}

function noKeepDims(config: Json, unsupported: (detail: string) => Error) {
  if (config.keepdims === true) throw unsupported('keeps the pooled dimensions (keepdims), which TensorFlow.js lacks');
  delete config.keepdims;
}

/**
 * Keras 3 renamed a few arguments and added options TensorFlow.js does not have. Options that would
 * change the outputs are refused by name rather than dropped silently.
 */
const RULES: Record<string, Rule> = {
  InputLayer(config) {
    rename(config, 'batch_shape', 'batch_input_shape');
    for (const key of ['optional', 'ragged', 'input_tensor']) delete config[key];
  },
  LeakyReLU: (config) => rename(config, 'negative_slope', 'alpha'),
  ReLU(config, unsupported) {
    if (nonZero(config.negative_slope) || nonZero(config.threshold)) throw unsupported('uses negative_slope or threshold, which TensorFlow.js ReLU lacks');
    delete config.negative_slope;
    delete config.threshold;
  },
  BatchNormalization(config, unsupported) {
    if (Array.isArray(config.axis)) {
      if (config.axis.length !== 1) throw unsupported(`normalizes over axes [${config.axis}]; TensorFlow.js normalizes over one axis`);
      config.axis = config.axis[0];
    }
    if (config.renorm === true) throw unsupported('uses batch renormalization, which TensorFlow.js lacks');
    if (config.synchronized === true) delete config.synchronized; // only matters when training on several devices
  },
  Conv2D: noGroups,
  SeparableConv2D: noGroups,
  DepthwiseConv2D: noGroups,
  GlobalAveragePooling2D: noKeepDims,
  GlobalMaxPooling2D: noKeepDims,
  Dense(config, unsupported) {
    if (typeof config.lora_rank === 'number' && config.lora_rank > 0) throw unsupported('has LoRA weights; merge them into the kernel before saving');
    if (config.quantization_config != null) throw unsupported('is quantized, which Pruneflow cannot read');
  },
};

export function applyLayerRules(className: string, config: Json, unsupported: (detail: string) => Error): void {
  RULES[className]?.(config, unsupported);
}

/** Whether TensorFlow.js can build a layer of this class (its own layers and registered custom ones). */
export function tfjsHasLayer(className: string): boolean {
  return tf.serialization.SerializationMap.getMap().classNameMap[className] != null;
}
