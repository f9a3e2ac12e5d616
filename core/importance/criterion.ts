import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelGraph, ChannelGroup } from '../graph/channel-graph.js';

export interface ImportanceContext {
  model: tfl.LayersModel;
  graph: ChannelGraph;
}

/** An importance criterion: one score per channel of a group, higher means more important. */
export interface ImportanceCriterion {
  id: string;
  label: string;
  score(group: ChannelGroup, context: ImportanceContext): Float32Array;
}
