/**
 * A page with the importance-flow diagram alone, for the browser test: it loads `flow.json` (FlowData made
 * by the engine), renders it and reports, through performance marks, how long the data took to become a
 * painted SVG. `?runs=N` renders it N times (unmounting in between) so a test can report a median as well
 * as the first, cold render. The result lands on `window.flowHarness`.
 */
import { flushSync, mount, unmount } from 'svelte';
import type { FlowData } from '../../core/api/contract.js';
import FlowScreen from './FlowScreen.svelte';

declare global {
  interface Window {
    flowHarness?: { renderMs: number[]; parseMs: number } | { error: string };
  }
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

async function renderOnce(data: FlowData, run: number): Promise<{ ms: number; app: ReturnType<typeof mount> }> {
  performance.mark(`flow-data-${run}`);
  const app = mount(FlowScreen, { target: document.getElementById('app')!, props: { data } });
  flushSync();
  // The canvas is sized by a ResizeObserver: wait until the nodes are in the document, then for a frame to be painted.
  while (document.querySelectorAll('[data-node]').length < data.nodes.length) await nextFrame();
  await nextFrame();
  performance.mark(`flow-painted-${run}`);
  return { ms: performance.measure(`flow-render-${run}`, `flow-data-${run}`, `flow-painted-${run}`).duration, app };
}

async function main() {
  const runs = Math.max(1, Number(new URLSearchParams(location.search).get('runs') ?? 1));
  const response = await fetch('./flow.json');
  performance.mark('flow-fetched');
  const data = (await response.json()) as FlowData;
  performance.mark('flow-parsed');
  const renderMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const { ms, app } = await renderOnce(data, run);
    renderMs.push(ms);
    if (run < runs - 1) {
      await unmount(app);
      await nextFrame();
    }
  }
  window.flowHarness = { renderMs, parseMs: performance.measure('flow-parse', 'flow-fetched', 'flow-parsed').duration };
}

main().catch((error: unknown) => (window.flowHarness = { error: String(error) }));
