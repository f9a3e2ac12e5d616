/**
 * How a layer type moves channels, by tfjs class name. A new layer type plugs in with one line here
 * (and, if it has per-channel weights, one slicing rule in prune/weight-slicing.ts).
 */
export type LayerKind =
  /** Reads its input channels and makes new output channels (conv, dense). */
  | 'producer'
  /** Has per-channel weights but keeps the channels (batch norm). */
  | 'follower'
  /** Changes nothing about channels (activations, pooling, dropout). */
  | 'passthrough'
  /** Keeps channels but spreads each over its spatial positions (channels-last flatten). */
  | 'flatten'
  /** Element-wise merge: all inputs share one channel group. */
  | 'merge';

const KINDS: Record<string, LayerKind> = {
  Conv2D: 'producer',
  Dense: 'producer',
  BatchNormalization: 'follower',
  Activation: 'passthrough',
  ReLU: 'passthrough',
  LeakyReLU: 'passthrough',
  ELU: 'passthrough',
  Softmax: 'passthrough',
  Dropout: 'passthrough',
  SpatialDropout2D: 'passthrough',
  MaxPooling2D: 'passthrough',
  AveragePooling2D: 'passthrough',
  GlobalAveragePooling2D: 'passthrough',
  GlobalMaxPooling2D: 'passthrough',
  ZeroPadding2D: 'passthrough',
  Flatten: 'flatten',
  Add: 'merge',
  Multiply: 'merge',
  Maximum: 'merge',
  Minimum: 'merge',
  Average: 'merge',
};

export function layerKind(className: string): LayerKind | undefined {
  return KINDS[className];
}
