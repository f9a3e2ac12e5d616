import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { addressSpaceLimit } from '../../../core/node/address-space.js';
import { ROOT } from '../../build/run.js';

const exec = promisify(execFile);
const CLI = join(ROOT, 'dist/core/node/cli.js');
const KERAS = join(ROOT, 'test/fixtures/models/keras3_functional.keras');

describe('an address-space limit (ulimit -v)', () => {
  it('reads the soft limit from /proc/self/limits', () => {
    const limits = (soft: string) =>
      `Limit                     Soft Limit           Hard Limit           Units\nMax address space         ${soft}            unlimited            bytes\n`;
    expect(addressSpaceLimit(limits('unlimited'))).toBeUndefined();
    expect(addressSpaceLimit(limits('16384000000'))).toBe(16_384_000_000);
    expect(addressSpaceLimit(undefined)).toBeUndefined();
  });

  it('imports a Keras model under ulimit -v 16000000, as on a shared compute node (was a raw Emscripten abort)', async () => {
    // Two WebAssembly memories (the wasm backend and h5wasm) reserve about 20 GiB with V8's guard regions.
    const { stdout } = await exec('bash', ['-c', `ulimit -v 16000000 && exec node "${CLI}" model info "${KERAS}" --json`]);
    expect(JSON.parse(stdout).layers.length).toBeGreaterThan(3);
  });
});
