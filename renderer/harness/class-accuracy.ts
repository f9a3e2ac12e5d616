/**
 * A page with the accuracy-per-class table alone, for the browser test: `window.showClassAccuracy(result)`
 * renders a result's per-class counts with the real component, as the Results screen does.
 */
import { flushSync, mount } from 'svelte';
import type { PruneResult } from '../../core/api/contract.js';
import ClassAccuracy from '../components/ClassAccuracy.svelte';

declare global {
  interface Window {
    showClassAccuracy?: (result: Pick<PruneResult, 'baseline' | 'pruned'>) => void;
  }
}

window.showClassAccuracy = (result) => {
  const target = document.getElementById('app')!;
  target.replaceChildren();
  mount(ClassAccuracy, { target, props: { result } });
  flushSync();
};
