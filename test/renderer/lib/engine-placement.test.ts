import { describe, expect, it } from 'vitest';
import { addressFor, enginePlacement } from '../../../renderer/lib/engine-placement.js';

describe('engine placement in the page address', () => {
  const served = 'http://127.0.0.1:8321/?token=abc123';

  it('reads the engine host by default and the page engine with its backend when asked', () => {
    expect(enginePlacement(served)).toEqual({ inPage: false, backend: 'auto' });
    expect(enginePlacement(`${served}&engine=page&backend=webgl`)).toEqual({ inPage: true, backend: 'webgl' });
  });

  it('switches placement and keeps the server token', () => {
    const inPage = addressFor(served, { inPage: true, backend: 'webgpu' });
    expect(inPage).toBe('http://127.0.0.1:8321/?token=abc123&engine=page&backend=webgpu');
    expect(enginePlacement(inPage)).toEqual({ inPage: true, backend: 'webgpu' });
    expect(addressFor(inPage, { inPage: false, backend: 'webgpu' })).toBe(served);
  });
});
