import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

interface ZeroPadShortcutArgs {
  /** Channels of the output: the input's channels followed by zero channels. */
  outChannels: number;
  stride: number;
  name?: string;
}

/**
 * The parameter-free shortcut of the CIFAR ResNets ("option A"): subsample by `stride`, then append
 * zero channels. For pruning it is an index map: output channel i < C_in reads input channel i.
 */
export class ZeroPadShortcut extends tfl.layers.Layer {
  static readonly className = 'ZeroPadShortcut';
  readonly outChannels: number;
  readonly stride: number;

  constructor(args: ZeroPadShortcutArgs) {
    super({ name: args.name });
    this.outChannels = args.outChannels;
    this.stride = args.stride;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = inputShape as tfl.Shape;
    const sub = (n: number | null) => (n === null ? null : Math.ceil(n / this.stride));
    return [shape[0], sub(shape[1]), sub(shape[2]), this.outChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const channels = x.shape[3];
      // A 1x1 pool with a stride subsamples like x[:, ::s, ::s]; unlike stridedSlice it has a gradient.
      const sub = this.stride === 1 ? x : tf.avgPool(x, 1, this.stride, 'valid');
      const extra = this.outChannels - channels;
      if (extra < 0) throw new Error(`${this.name}: input has ${channels} channels, more than the ${this.outChannels} it pads to`);
      return extra === 0 ? sub : tf.pad(sub, [[0, 0], [0, 0], [0, 0], [0, extra]]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), outChannels: this.outChannels, stride: this.stride };
  }
}

tf.serialization.registerClass(ZeroPadShortcut);
