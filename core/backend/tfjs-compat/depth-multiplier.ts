import type * as tfl from '@tensorflow/tfjs-layers';

/** One layer of a model's JSON topology, as tfjs-layers writes it (snake_case config keys). */
interface LayerEntry {
  class_name: string;
  config: Record<string, unknown>;
}

/**
 * tfjs-layers 4.22's SeparableConv2D.getConfig leaves out depth_multiplier, so a saved model comes back
 * with a multiplier of 1 and weights of the wrong shape. Puts each one back from the live layer.
 */
export function restoreDepthMultiplier(layers: readonly LayerEntry[], model: tfl.LayersModel): void {
  for (const entry of layers) {
    if (entry.class_name !== 'SeparableConv2D') continue;
    const layer = model.getLayer(entry.config.name as string) as tfl.layers.Layer & { depthMultiplier?: number };
    entry.config.depth_multiplier = layer.depthMultiplier ?? 1;
  }
}
