/**
 * The importance-flow diagram as plain data: what the engine sends and the UI draws. Types only (this
 * file is part of the API contract and is imported from every layer).
 *
 * Columns are the layers that make channels (conv, dense), in topological order; batch norm and ReLU share
 * their writer's channels and have no column. Nodes are channels, or bands of channels (importance
 * quantiles) where a column would be too tall or the model too deep to read. Links carry CIP's propagated
 * importance from a channel of one writer to the channels of the next writer that reads it.
 */

export interface FlowRequest {
  /** A built-in model id ("resnet110") or a model file. */
  model: string;
  /** A data set for data-driven criteria; without it CIP runs on weights alone (mu = 1). */
  data?: string;
  /** The criterion that scores the nodes (default "cip"); links are always CIP's propagation. */
  criterion?: string;
  /** The cut the steps lead to (default: 50% of the FLOPs). */
  target?: { metric: 'flops' | 'params'; reduction: number };
  /** Prune steps, each re-scoring the pruned model (default 3; 1 is one-shot). */
  steps?: number;
  ranking?: 'global' | 'uniform';
  /** Share of each group that is never removed (default 0.1). */
  protect?: number;
  /** Batches of training images shown to the criterion when there is data (default 4). */
  calibrationBatches?: number;
  seed?: number;
}

export interface FlowColumn {
  index: number;
  /** The writer layer's name and tfjs class. */
  layer: string;
  className: string;
  /** The channel group it writes. */
  group: number;
  channels: number;
  /** Nodes are bands of channels (importance quantiles), not single channels. */
  banded: boolean;
}

export interface FlowGroup {
  id: number;
  channels: number;
  /** Writer columns, in order; more than one means a residual (coupled) group. */
  columns: number[];
  coupled: boolean;
  prunable: boolean;
  /** Why its channels went (or stayed), in words: a session's flow says it for every group. */
  reason?: string;
}

export interface FlowNode {
  /** Its index in `nodes`. */
  id: number;
  column: number;
  /** Channels of the group it stands for (original indices, ascending); one unless its column is banded. */
  channels: number[];
  /** Importance at step 0 relative to the group's mean (1 = an average channel of its layer): the mean over its channels. */
  score: number;
  /** Lowest and highest channel score inside the node (equal to `score` for a single channel). */
  min: number;
  max: number;
  /** Share of its channels removed by the last step (0 = all kept, 1 = pruned). */
  pruned: number;
}

export interface FlowLink {
  source: number;
  target: number;
  /** Relevance the target sends back to the source (sum over the channel pairs of two bands). */
  weight: number;
  /** Through a layer's weights, or along a residual shortcut to the next writer of the stream. */
  kind: 'weights' | 'residual';
}

/** The model after one step of the schedule. */
export interface FlowStep {
  step: number;
  label: string;
  /** Share of the metric removed so far, against the unpruned model. */
  reduction: number;
  flops: number;
  params: number;
  /** Per prunable group: kept channels (original indices, ascending) and their scores relative to the group mean. */
  groups: { group: number; kept: number[]; scores: number[] }[];
}

export interface FlowData {
  model: string;
  /** The model as people call it ("ResNet-110 (CIFAR)"), or its file name. */
  modelLabel: string;
  criterion: string;
  criterionLabel: string;
  target: { metric: 'flops' | 'params'; reduction: number };
  columns: FlowColumn[];
  groups: FlowGroup[];
  nodes: FlowNode[];
  links: FlowLink[];
  /** Step 0 is the unpruned model. */
  steps: FlowStep[];
  /**
   * How channels were aggregated: a column with more than `maxChannelsPerColumn` channels, or every column of
   * a model with more than `manyColumns` columns, shows `bandsPerColumn` bands; `linksPerNode` strongest links
   * of each kind are kept per node and direction.
   */
  detail: { maxChannelsPerColumn: number; manyColumns: number; bandsPerColumn: number; linksPerNode: number };
  warnings: string[];
  /** The session the flow shows (absent for a model's preview): its kept channels and scores are the ones it recorded. */
  session?: FlowSession;
  /** The scores come from randomly initialised weights (a built-in model that was not trained). */
  untrained?: boolean;
}

/** Which session's flow: one of a project file's, or the last run of this engine that saved into no project (by its task id). */
export type SessionFlowRequest = { project: string; session: string } | { task: string };

/** The session behind a flow, as the flow's header and side panel say it. */
export interface FlowSession {
  /** Its project file and session id, or the task of a run that saved into no project. */
  project?: string;
  session?: string;
  task?: string;
  name: string;
  /** The schedule in words ("one-shot", "iterative, 3 steps"). */
  schedule: string;
  ranking: string;
  /** Share of each group never removed. */
  protect: number;
  /**
   * The node scores are the ones the session recorded; false for a session saved before Pruneflow kept them
   * (the scores are then CIP's on the baseline's weights, computed when the flow opens).
   */
  storedScores: boolean;
}
