import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

interface ZeroPadShortcutArgs {
  /** Channels of the output. */
  outChannels: number;
  stride: number;
  /**
   * For each output channel, the input channel it copies, or -1 for zeros. Absent: the input's channels
   * in order, then zeros (the option-A shortcut as built). Pruning rewrites it.
   */
  sourceChannels?: number[];
  name?: string;
}

/** The input channel each output channel copies (-1: zeros): `sourceChannels`, or as built (the input's channels, then zeros). */
export function shortcutSources(sourceChannels: readonly number[] | undefined, outChannels: number, inChannels: number): number[] {
  return sourceChannels ? [...sourceChannels] : Array.from({ length: outChannels }, (_, o) => (o < inChannels ? o : -1));
}

/**
 * The parameter-free shortcut of the CIFAR ResNets ("option A"): subsample by `stride`, then append
 * zero channels. For pruning it is an index map, not a coupling: output channel i reads input channel
 * i, so either side can lose channels on its own.
 */
export class ZeroPadShortcut extends tfl.layers.Layer {
  static readonly className = 'ZeroPadShortcut';
  readonly outChannels: number;
  readonly stride: number;
  readonly sourceChannels?: number[];

  constructor(args: ZeroPadShortcutArgs) {
    super({ name: args.name });
    this.outChannels = args.outChannels;
    this.stride = args.stride;
    this.sourceChannels = args.sourceChannels;
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
      if (this.sourceChannels) {
        // A 0/1 selection matrix rather than a gather: gather's gradient (UnsortedSegmentSum) has no wasm
        // kernel, so pruned ResNets could not be fine-tuned there. A -1 entry is an all-zero column.
        const selection = new Float32Array(channels * this.outChannels);
        this.sourceChannels.forEach((c, out) => c >= 0 && (selection[c * this.outChannels + out] = 1));
        const [n, h, w] = sub.shape;
        const flat = tf.matMul(tf.reshape(sub, [n * h * w, channels]), tf.tensor2d(selection, [channels, this.outChannels]));
        return tf.reshape(flat, [n, h, w, this.outChannels]);
      }
      const extra = this.outChannels - channels;
      if (extra < 0) throw new Error(`${this.name}: input has ${channels} channels, more than the ${this.outChannels} it pads to`);
      return extra === 0
        ? sub
        : tf.pad(sub, [
            [0, 0],
            [0, 0],
            [0, 0],
            [0, extra],
          ]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), outChannels: this.outChannels, stride: this.stride };
    if (this.sourceChannels) config.sourceChannels = this.sourceChannels;
    return config;
  }
}

tf.serialization.registerClass(ZeroPadShortcut);
