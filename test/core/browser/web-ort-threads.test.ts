import { describe, expect, it } from 'vitest';
import { webOrtThreads } from '../../../core/browser/web-ort-runner.js';

// ONNX Runtime Web's threads follow the page's cross-origin isolation (COOP and COEP from serve and app://).
describe('webOrtThreads', () => {
  it('takes one thread where the page is not cross-origin isolated, whatever the cores', () => {
    expect(webOrtThreads({ crossOriginIsolated: false, navigator: { hardwareConcurrency: 16 } })).toBe(1);
    expect(webOrtThreads({ navigator: { hardwareConcurrency: 8 } })).toBe(1);
  });

  it('takes half the cores, at most 4, where it is (2 threads on 2 busy cores were slower than 1)', () => {
    expect(webOrtThreads({ crossOriginIsolated: true, navigator: { hardwareConcurrency: 2 } })).toBe(1);
    expect(webOrtThreads({ crossOriginIsolated: true, navigator: { hardwareConcurrency: 3 } })).toBe(2);
    expect(webOrtThreads({ crossOriginIsolated: true, navigator: { hardwareConcurrency: 4 } })).toBe(2);
    expect(webOrtThreads({ crossOriginIsolated: true, navigator: { hardwareConcurrency: 16 } })).toBe(4);
    expect(webOrtThreads({ crossOriginIsolated: true, navigator: {} })).toBe(1);
    expect(webOrtThreads({ crossOriginIsolated: true })).toBe(1);
  });

  it('is 1 in Node (no crossOriginIsolated)', () => expect(webOrtThreads()).toBe(1));
});
