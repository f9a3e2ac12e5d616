import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelGraph } from '../graph/channel-graph.js';
import { type LayerKeep, hasSlicer, sliceWeights } from './weight-slicing.js';

export class SurgeryError extends Error {
  override name = 'SurgeryError';
}

/** Which layers read and write each group, indexed by layer name. */
function layerKeeps(graph: ChannelGraph, keep: ReadonlyMap<number, Int32Array>): Map<string, LayerKeep> {
  const byLayer = new Map<string, LayerKeep>();
  const entry = (name: string) => {
    let e = byLayer.get(name);
    if (!e) byLayer.set(name, (e = { inSpatial: 1 }));
    return e;
  };
  for (const [groupId, kept] of keep) {
    const group = graph.groups[groupId];
    if (!group.prunable) throw new SurgeryError(`Group ${groupId} cannot be pruned: ${group.reasons.join('; ')}`);
    if (kept.length === 0) throw new SurgeryError(`Group ${groupId} would lose all ${group.channels} channels`);
    for (const name of [...group.producers, ...group.followers]) entry(name).out = kept;
    for (const { layer, spatial } of group.consumers) Object.assign(entry(layer), { in: kept, inSpatial: spatial });
  }
  return byLayer;
}

/**
 * Builds a physically smaller model: the same topology with fewer filters/units, and the kept weights
 * sliced from the original. The original model is not changed.
 */
export async function pruneModel(
  model: tfl.LayersModel,
  graph: ChannelGraph,
  keep: ReadonlyMap<number, Int32Array>,
): Promise<tfl.LayersModel> {
  const keeps = layerKeeps(graph, keep);
  const topology = model.toJSON(null, false) as unknown as ModelTopology;
  for (const layer of topology.config.layers) {
    const out = keeps.get(layer.config.name as string)?.out;
    if (!out) continue;
    if ('filters' in layer.config) layer.config.filters = out.length;
    else if ('units' in layer.config) layer.config.units = out.length;
  }
  const pruned = await tfl.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] });
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const layerKeep = keeps.get(layer.name);
    const target = pruned.getLayer(layer.name);
    if (!layerKeep) {
      target.setWeights(weights);
      continue;
    }
    if (!hasSlicer(layer.getClassName())) {
      throw new SurgeryError(`Layer '${layer.name}' (${layer.getClassName()}) has channels to remove but no slicing rule`);
    }
    const sliced = tf.tidy(() => sliceWeights(layer.getClassName(), weights, layerKeep));
    target.setWeights(sliced);
    tf.dispose(sliced);
  }
  return pruned;
}

interface ModelTopology {
  class_name: string;
  config: { layers: { class_name: string; config: Record<string, unknown> }[] };
}
