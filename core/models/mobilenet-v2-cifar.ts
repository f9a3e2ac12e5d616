import * as tfl from '@tensorflow/tfjs-layers';
import { BN_MOMENTUM, type ModelInput } from './demo-cnn.js';

/** (expansion, output channels, blocks, first stride): MobileNetV2 with the CIFAR strides of kuangliu's model. */
const STAGES: [number, number, number, number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 1],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/**
 * MobileNetV2 (Sandler et al. 2018) for 32x32 inputs: inverted residual blocks of a 1x1 expansion, a 3x3
 * depthwise conv and a 1x1 projection, stride 1 in the stem and the second stage so 32x32 ends at 4x4.
 */
export function buildCifarMobileNetV2({ inputShape, numClasses, seed = 1 }: ModelInput): tfl.LayersModel {
  let layerSeed = seed;
  const bn = (x: tfl.SymbolicTensor, name: string) =>
    tfl.layers.batchNormalization({ name: `${name}_bn`, momentum: BN_MOMENTUM }).apply(x) as tfl.SymbolicTensor;
  const relu6 = (x: tfl.SymbolicTensor, name: string) => tfl.layers.reLU({ maxValue: 6, name: `${name}_relu` }).apply(x) as tfl.SymbolicTensor;
  const conv = (x: tfl.SymbolicTensor, filters: number, kernelSize: number, name: string) =>
    bn(
      tfl.layers
        .conv2d({ filters, kernelSize, padding: 'same', useBias: false, name, kernelInitializer: tfl.initializers.heNormal({ seed: layerSeed++ }) })
        .apply(x) as tfl.SymbolicTensor,
      name,
    );

  const input = tfl.input({ shape: inputShape, name: 'image' });
  let x = relu6(conv(input, 32, 3, 'stem'), 'stem');
  let channels = 32;
  STAGES.forEach(([expansion, out, blocks, firstStride], stage) => {
    for (let b = 0; b < blocks; b++) {
      const name = `block${stage + 1}_${b + 1}`;
      const stride = b === 0 ? firstStride : 1;
      const hidden = channels * expansion;
      let y = expansion === 1 ? x : relu6(conv(x, hidden, 1, `${name}_expand`), `${name}_expand`);
      y = tfl.layers
        .depthwiseConv2d({
          kernelSize: 3,
          strides: stride,
          padding: 'same',
          useBias: false,
          name: `${name}_dw`,
          depthwiseInitializer: tfl.initializers.heNormal({ seed: layerSeed++ }),
        })
        .apply(y) as tfl.SymbolicTensor;
      y = relu6(bn(y, `${name}_dw`), `${name}_dw`);
      y = conv(y, out, 1, `${name}_project`);
      if (stride === 1) {
        const shortcut = channels === out ? x : conv(x, out, 1, `${name}_shortcut`);
        y = tfl.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as tfl.SymbolicTensor;
      }
      x = y;
      channels = out;
    }
  });
  x = relu6(conv(x, 1280, 1, 'head'), 'head');
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers
    .dense({ units: numClasses, name: 'fc', kernelInitializer: tfl.initializers.glorotUniform({ seed: layerSeed }) })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: 'mobilenetv2' });
}
