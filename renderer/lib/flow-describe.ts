/** A node of the importance-flow diagram in words (for screen readers and the tooltip) and its neighbours (for the keyboard). */
import type { FlowData, FlowNode } from '../../core/api/contract.js';
import type { FlowLayout, NodeState } from './flow-layout.js';

/** What a screen reader says for a node. */
export function describeNode(data: FlowData, node: FlowNode, state: NodeState, rank: number, ofNodes: number): string {
  const column = data.columns[node.column];
  const size = node.channels.length === 1 ? `channel ${node.channels[0]}` : `${node.channels.length} channels`;
  const what = column.banded ? `band ${rank + 1} of ${ofNodes} (${size})` : `channel ${node.channels[0]}`;
  return `${column.layer}, ${what}: importance ${state.score.toFixed(2)} times the layer mean, ${keptWords(node, state, 'kept')}`;
}

export interface NodeDetails {
  layer: string;
  className: string;
  what: string;
  importance: string;
  kept: string;
  group?: string;
  relevance: string;
}

/** The tooltip's lines. */
export function nodeDetails(data: FlowData, layout: FlowLayout, id: number, state: NodeState): NodeDetails {
  const { node, rank } = layout.nodes[id];
  const column = data.columns[node.column];
  const group = data.groups.find((g) => g.id === column.group);
  let received = 0;
  let passed = 0;
  for (const link of data.links) {
    if (link.source === id) received += link.weight;
    if (link.target === id) passed += link.weight;
  }
  const channels = node.channels.length > 6 ? `${node.channels.slice(0, 6).join(', ')}, …` : node.channels.join(', ');
  const spread = node.min.toFixed(2) !== node.max.toFixed(2) ? `; its channels ${node.min.toFixed(2)}–${node.max.toFixed(2)} before pruning` : '';
  return {
    layer: column.layer,
    className: column.className,
    what: column.banded
      ? `Band ${rank + 1} of ${layout.byColumn[node.column].length}: ${node.channels.length} channels (${channels})`
      : `Channel ${node.channels[0]}`,
    importance: `Importance ${state.score.toFixed(3)}× layer mean${spread}`,
    kept: keptWords(node, state, 'all kept'),
    group: group?.coupled
      ? `Residual stream: shared with ${group.columns.length - 1} other layers`
      : group?.prunable === false
        ? 'Not prunable (model output)'
        : undefined,
    relevance: `Relevance received ${received.toFixed(2)}, passed back ${passed.toFixed(2)} (links shown)`,
  };
}

function keptWords(node: FlowNode, state: NodeState, all: string): string {
  if (state.kept === node.channels.length) return all;
  return state.kept === 0 ? 'pruned' : `${state.kept} of ${node.channels.length} kept`;
}

/**
 * The node an arrow key leads to: up and down inside a layer, left and right to the nearest node (by height)
 * of the neighbouring layer, Home and End to the first and last layer. Undefined at an edge or for other keys.
 */
export function nodeInDirection(layout: FlowLayout, id: number, key: string): number | undefined {
  const placed = layout.nodes[id];
  const column = placed.node.column;
  const last = layout.byColumn.length - 1;
  const centre = (n: number) => layout.nodes[n].y + layout.nodes[n].height / 2;
  const nearest = (target: number) =>
    layout.byColumn[target].reduce((best, n) => (Math.abs(centre(n) - centre(id)) < Math.abs(centre(best) - centre(id)) ? n : best));
  switch (key) {
    case 'ArrowUp':
      return layout.byColumn[column][placed.rank - 1];
    case 'ArrowDown':
      return layout.byColumn[column][placed.rank + 1];
    case 'ArrowLeft':
      return column > 0 ? nearest(column - 1) : undefined;
    case 'ArrowRight':
      return column < last ? nearest(column + 1) : undefined;
    case 'Home':
      return nearest(0);
    case 'End':
      return nearest(last);
    default:
      return undefined;
  }
}

export const NAVIGATION_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End']);
