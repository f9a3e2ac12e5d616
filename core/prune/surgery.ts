import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type ChannelGraph, positionsOf, type Segment } from '../graph/channel-graph.js';
import { patchTopology } from '../models/io/export-topology.js';
import { type LayerKeep, surgeryRule } from './layer-surgery.js';
import { modelInputContract, rememberInputContract } from '../models/input-contract.js';
import { modelInputLayout, rememberInputLayout } from '../models/input-layout.js';

export class SurgeryError extends Error {
  override name = 'SurgeryError';
}

/**
 * Builds a physically smaller model: the same topology with fewer filters/units, and the kept weights
 * sliced from the original. The original model is not changed.
 */
export async function pruneModel(model: tfl.LayersModel, graph: ChannelGraph, keep: ReadonlyMap<number, Int32Array>): Promise<tfl.LayersModel> {
  checkKeep(graph, keep);
  const keeps = layerKeeps(graph, keep);
  // tfjs leaves some settings out of toJSON (SeparableConv2D's depth multiplier): put them back.
  const topology = patchTopology(model.toJSON(null, false) as never, model) as unknown as ModelTopology;
  for (const layer of topology.config.layers) {
    const layerKeep = keeps.get(layer.config.name as string);
    if (layerKeep) surgeryRule(layer.class_name)?.config?.(layer.config, layerKeep);
  }
  const pruned = await tfl.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] });
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const target = pruned.getLayer(layer.name);
    const layerKeep = keeps.get(layer.name);
    if (!layerKeep) {
      target.setWeights(weights);
      continue;
    }
    const rule = surgeryRule(layer.getClassName())?.weights;
    if (!rule) throw new SurgeryError(`Layer '${layer.name}' (${layer.getClassName()}) loses channels but has no slicing rule`);
    const sliced = tf.tidy(() => rule(weights, layerKeep));
    target.setWeights(sliced);
    tf.dispose(sliced);
  }
  // Fed, and exported, as the original.
  rememberInputContract(pruned, modelInputContract(model));
  rememberInputLayout(pruned, modelInputLayout(model));
  return pruned;
}

function checkKeep(graph: ChannelGraph, keep: ReadonlyMap<number, Int32Array>): void {
  for (const [groupId, kept] of keep) {
    const group = graph.groups[groupId];
    if (!group) throw new SurgeryError(`There is no channel group ${groupId}`);
    if (!group.prunable) throw new SurgeryError(`Group ${groupId} cannot be pruned: ${group.reasons.join('; ')}`);
    if (kept.length === 0) throw new SurgeryError(`Group ${groupId} would lose all ${group.channels} channels`);
    if (kept.some((c, i) => c < 0 || c >= group.channels || (i > 0 && c <= kept[i - 1]))) {
      throw new SurgeryError(`Group ${groupId}: kept channels must be ascending indices below ${group.channels}`);
    }
    const blocks = group.blocks ?? 1;
    if (blocks > 1) {
      const width = group.channels / blocks;
      const counts = Array.from({ length: blocks }, (_, b) => kept.filter((c) => Math.floor(c / width) === b).length);
      if (counts.some((n) => n !== counts[0])) {
        throw new SurgeryError(
          `Group ${groupId} feeds grouped convolutions (${blocks} groups): it must keep the same number of channels in each group, got ${counts.join(', ')}`,
        );
      }
    }
  }
}

/** The kept input and output channels of every layer that touches a pruned group. */
function layerKeeps(graph: ChannelGraph, keep: ReadonlyMap<number, Int32Array>): Map<string, LayerKeep> {
  const byLayer = new Map<string, LayerKeep>();
  for (const layer of graph.layers) {
    const touched = [...layer.inputs, ...layer.outputs].some((s) => keep.has(s.group));
    if (!touched) continue;
    const inChannels = layer.inputs.reduce((n, s) => n + s.channels, 0);
    byLayer.set(layer.name, {
      in: expandRows(keptIndices(layer.inputs, keep), layer.inSpatial, inChannels),
      out: keptIndices(layer.outputs, keep),
      inChannels,
    });
  }
  return byLayer;
}

/** Kept positions in a tensor made of segments: each segment's kept channels (at every position they fill), shifted by its offset. */
function keptIndices(segments: Segment[], keep: ReadonlyMap<number, Int32Array>): Int32Array | undefined {
  if (!segments.some((s) => keep.has(s.group))) return undefined;
  const indices: number[] = [];
  let offset = 0;
  for (const segment of segments) {
    const kept = keep.get(segment.group);
    if (kept) for (const c of kept) indices.push(...positionsOf(segment, offset, c));
    else for (let p = 0; p < segment.channels; p++) indices.push(offset + p);
    offset += segment.channels;
  }
  return Int32Array.from(indices);
}

/** Channels-last flatten: row p * channels + c belongs to channel c. */
function expandRows(kept: Int32Array | undefined, spatial: number, channels: number): Int32Array | undefined {
  if (!kept || spatial === 1) return kept;
  const rows = new Int32Array(kept.length * spatial);
  for (let p = 0; p < spatial; p++) for (let i = 0; i < kept.length; i++) rows[p * kept.length + i] = p * channels + kept[i];
  return rows;
}

interface ModelTopology {
  class_name: string;
  config: { layers: { class_name: string; config: Record<string, unknown> }[] };
}
