import type { AddressBar } from './address-sync.svelte.js';

/** The window's address bar: only its hash is written, so the path and query (a served page's token) stay. */
export function windowAddressBar(): AddressBar {
  return {
    hash: () => location.hash,
    push: (hash) => history.pushState(null, '', hash),
    replace: (hash) => history.replaceState(null, '', hash),
    onmove(listener) {
      const moved = () => listener(location.hash);
      addEventListener('popstate', moved);
      return () => removeEventListener('popstate', moved);
    },
  };
}
