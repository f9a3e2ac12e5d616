import * as tfl from '@tensorflow/tfjs-layers';
import { BN_MOMENTUM, classifierHead, convBnRelu, type ModelInput } from './demo-cnn.js';
import { ZeroPadShortcut } from './zero-pad-shortcut.js';

/**
 * The CIFAR ResNets of He et al. (depth 6n+2: 20, 32, 56, 110): three stages of 16, 32 and 64 channels,
 * basic blocks, parameter-free shortcuts (option A), as used by the pruning papers. `shortcut: 'conv'` gives option B
 * instead: a 1x1 convolution and batch norm where a block changes width or stride (`<block>_shortcut_conv/_bn`), the
 * ResNet-20 that Torch-Pruning can prune exactly (its graph cannot follow the zero-padded shortcut).
 */
export function buildCifarResNet(
  depth: number,
  { inputShape, numClasses, seed = 1 }: ModelInput,
  shortcutKind: 'zero-pad' | 'conv' = 'zero-pad',
): tfl.LayersModel {
  if ((depth - 2) % 6 !== 0) throw new Error(`CIFAR ResNet depth must be 6n+2 (20, 32, 56, 110), got ${depth}`);
  const blocksPerStage = (depth - 2) / 6;
  const input = tfl.input({ shape: inputShape, name: 'image' });
  let x = convBnRelu(input, 16, 'stem', 1, seed);
  let layerSeed = seed + 1;
  for (const [stage, filters] of [16, 32, 64].entries()) {
    for (let block = 0; block < blocksPerStage; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const name = `stage${stage + 1}_block${block + 1}`;
      const branch = convBnRelu(x, filters, `${name}_a`, stride, layerSeed++);
      const conv = tfl.layers
        .conv2d({
          filters,
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          name: `${name}_b_conv`,
          kernelInitializer: tfl.initializers.heNormal({ seed: layerSeed++ }),
        })
        .apply(branch) as tfl.SymbolicTensor;
      const bn = tfl.layers.batchNormalization({ name: `${name}_b_bn`, momentum: BN_MOMENTUM }).apply(conv) as tfl.SymbolicTensor;
      const inChannels = x.shape[3] as number;
      const shortcut =
        stride === 1 && inChannels === filters
          ? x
          : shortcutKind === 'conv'
            ? convShortcut(x, filters, stride, name, layerSeed++)
            : (new ZeroPadShortcut({ outChannels: filters, stride, name: `${name}_shortcut` }).apply(x) as tfl.SymbolicTensor);
      const sum = tfl.layers.add({ name: `${name}_add` }).apply([bn, shortcut]) as tfl.SymbolicTensor;
      x = tfl.layers.reLU({ name: `${name}_relu` }).apply(sum) as tfl.SymbolicTensor;
    }
  }
  return tfl.model({ inputs: input, outputs: classifierHead(x, numClasses, layerSeed), name: `resnet${depth}${shortcutKind === 'conv' ? 'b' : ''}` });
}

/** Option B's projection: a strided 1x1 convolution (no padding needed) and its batch norm. */
function convShortcut(x: tfl.SymbolicTensor, filters: number, stride: number, name: string, seed: number): tfl.SymbolicTensor {
  const conv = tfl.layers
    .conv2d({
      filters,
      kernelSize: 1,
      strides: stride,
      padding: 'valid',
      useBias: false,
      name: `${name}_shortcut_conv`,
      kernelInitializer: tfl.initializers.heNormal({ seed }),
    })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.layers.batchNormalization({ name: `${name}_shortcut_bn`, momentum: BN_MOMENTUM }).apply(conv) as tfl.SymbolicTensor;
}
