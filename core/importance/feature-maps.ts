import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { tfjsRunner } from '../backend/forward-runner.js';
import type { Batch } from '../data/batches.js';
import { type ChannelGraph, perChannel } from '../graph/channel-graph.js';
import { releaseFailedTape } from '../backend/tfjs-compat/failed-tape.js';
import { halveBatch, isOutOfMemoryError } from '../train/out-of-memory.js';
import { backOffWarning, CalibrationRequiredError, type ImportanceContext, type ImportanceCriterion, meanOver } from './criterion.js';

/**
 * Layers that only pool, flatten, pad, drop or reshape a feature map: data criteria look at the map
 * before them (HRank and APoZ are defined on the activation map, and a map after global pooling or a
 * flatten has no rows or columns left).
 */
const VIEWS = new Set([
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Flatten',
  'Dropout',
  'SpatialDropout2D',
  'ZeroPadding2D',
  'Reshape',
]);

/** A group's channels inside one measured tensor. */
export interface FeatureMapSite {
  /** Index into `FeatureMapPlan.tensors`. */
  tensor: number;
  offset: number;
  /** Positions in the tensor: the group's channels times `repeat` (a depthwise conv's channel multiplier spreads each over several). */
  channels: number;
  repeat: number;
}

export interface FeatureMapPlan {
  /** The distinct feature maps to compute, each [N, H, W, C] (or [N, C] after a dense layer). */
  tensors: tfl.SymbolicTensor[];
  /** Per prunable group, where its channels are read: one site per member of a coupled group. */
  sites: Map<number, FeatureMapSite[]>;
}

/**
 * For each prunable group, the tensors its consumers read, traced back through pooling, flatten and
 * the like; the group's channel range inside each (a concatenation holds several groups).
 */
export function planFeatureMaps(model: tfl.LayersModel, graph: ChannelGraph): FeatureMapPlan {
  const tensors: tfl.SymbolicTensor[] = [];
  const sites = new Map<number, FeatureMapSite[]>();
  for (const group of graph.groups.filter((g) => g.prunable)) {
    const list: FeatureMapSite[] = [];
    for (const consumer of group.consumers) {
      // A shared layer reads its channels at each of its calls (the same layout at each).
      for (const node of model.getLayer(consumer).inboundNodes) {
        const tensor = beforeViews(node.inputTensors[0]);
        let index = tensors.indexOf(tensor);
        if (index < 0) index = tensors.push(tensor) - 1;
        let offset = 0;
        for (const segment of graph.layers.find((l) => l.name === consumer)!.inputs) {
          if (segment.group === group.id && !list.some((s) => s.tensor === index && s.offset === offset)) {
            list.push({ tensor: index, offset, channels: segment.channels, repeat: segment.repeat ?? 1 });
          }
          offset += segment.channels;
        }
      }
    }
    if (list.length === 0) throw new Error(`Group ${group.id} (${group.producers.join(', ')}) has no reader whose input could be measured.`);
    sites.set(group.id, list);
  }
  return { tensors, sites };
}

function beforeViews(tensor: tfl.SymbolicTensor): tfl.SymbolicTensor {
  while (VIEWS.has(tensor.sourceLayer.getClassName()) && tensor.inputs.length === 1) tensor = tensor.inputs[0];
  return tensor;
}

export function requireCalibration(context: ImportanceContext, id: string): readonly Batch[] {
  if (!context.calibration?.some((b) => b.x.shape[0] > 0)) {
    throw new CalibrationRequiredError(`The '${id}' criterion looks at data: it needs calibration batches.`);
  }
  return context.calibration;
}

/**
 * Per chunk of images: for every plan tensor, per-channel sums over the chunk's images of a per-image
 * statistic (its length is the tensor's channel count).
 */
export type ChunkMeasure = (x: tf.Tensor4D, y: tf.Tensor2D) => Promise<Float32Array[]>;

/**
 * Feeds the calibration images to `measure`, `chunk` at a time so memory stays bounded whatever the
 * batch size, and reduces: mean over images, sliced to each group's channels, mean over its sites.
 * A chunk the device has no memory for is measured again in halves (sums over images do not depend on
 * the chunk); `warn` says so.
 */
export async function scoreFromImages(
  batches: readonly Batch[],
  plan: FeatureMapPlan,
  measure: ChunkMeasure,
  chunk: number,
  warn: (message: string) => void = () => {},
): Promise<Map<number, Float32Array>> {
  const totals = plan.tensors.map((t) => new Float64Array(t.shape[t.shape.length - 1]!));
  let images = 0;
  for (const { x, y } of batches) {
    for (let start = 0; start < x.shape[0];) {
      const size = Math.min(chunk, x.shape[0] - start);
      const chunkOf: tf.Tensor[] = [];
      try {
        const xs = tf.slice(x, [start, 0, 0, 0], [size, -1, -1, -1]);
        chunkOf.push(xs);
        const ys = tf.slice(y, [start, 0], [size, -1]);
        chunkOf.push(ys);
        (await measure(xs, ys)).forEach((sums, i) => sums.forEach((v, c) => (totals[i][c] += v)));
      } catch (error) {
        if (!isOutOfMemoryError(error)) throw error;
        chunk = halveBatch(size, error as Error, `scoring channels at image ${images + 1}`, warn);
        continue;
      } finally {
        tf.dispose(chunkOf);
        releaseFailedTape(); // a gradient criterion's forward pass that failed leaves its tensors on the tape
      }
      start += size;
      images += size;
    }
  }
  // A channel that fills several positions scores their mean.
  const slice = (site: FeatureMapSite) =>
    perChannel(
      Float32Array.from(totals[site.tensor], (v) => v / images),
      site.offset,
      site,
      'mean',
    );
  return new Map([...plan.sites].map(([group, sites]) => [group, meanOver(sites[0].channels / sites[0].repeat, sites.map(slice))]));
}

/** Per-image per-channel statistic of feature maps [n, H, W, C]: its sums over the n images, one per channel. */
export type MapStatistic = (maps: tf.Tensor4D) => Promise<Float32Array>;

/**
 * A criterion computed from feature maps alone: one inference pass over the calibration data through
 * a sub-model that outputs every measured map (the model's own layers and weights, nothing copied).
 */
export function activationCriterion(id: string, label: string, statistic: MapStatistic): ImportanceCriterion {
  return {
    id,
    label,
    needs: 'activations',
    async scoreGroups(context) {
      const batches = requireCalibration(context, id);
      const plan = planFeatureMaps(context.model, context.graph);
      const { model, forward } = context;
      const images = batches.reduce((n, b) => n + b.x.shape[0], 0);
      const runner = forward ? await forward.open('activations', model, { images, probes: plan.tensors }) : tfjsRunner(model, plan.tensors);
      try {
        // ONNX Runtime takes whole batches; tfjs keeps to 16 images at a time so its feature maps stay small.
        return await scoreFromImages(
          batches,
          plan,
          async (x) => {
            const outputs = await runner.run(x);
            const maps = outputs.slice(model.outputs.length).map(asMaps);
            try {
              return await Promise.all(maps.map(statistic));
            } finally {
              tf.dispose([...outputs, ...maps]);
            }
          },
          runner.engine === 'tfjs' ? 16 : 64,
          backOffWarning(context),
        );
      } finally {
        await runner.dispose();
      }
    },
  };
}

/** [n, C] and [n, L, C] maps as [n, 1, 1, C] and [n, 1, L, C]. */
function asMaps(tensor: tf.Tensor): tf.Tensor4D {
  const [n, ...rest] = tensor.shape;
  const channels = rest.pop()!;
  return tf.reshape(tensor, [n, rest.length === 2 ? rest[0] : 1, rest.length === 2 ? rest[1] : (rest[0] ?? 1), channels]);
}

/** Reads a per-channel result and frees it. */
export async function readChannels(tensor: tf.Tensor): Promise<Float32Array> {
  try {
    return (await tensor.data()) as Float32Array;
  } finally {
    tensor.dispose();
  }
}
