import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Under an address-space limit (`ulimit -v`, usual on shared compute nodes) V8 cannot reserve the
 * ~10 GiB of guard regions it puts around every WebAssembly memory, so the wasm backend and the HDF5
 * reader fail. With `--disable-wasm-trap-handler` V8 checks bounds explicitly and reserves only what
 * it uses: the CLI restarts itself with that flag when such a limit is set. Imported first by cli.ts.
 */
export const TRAP_HANDLER_FLAG = '--disable-wasm-trap-handler';

/** The soft address-space limit in bytes, or undefined when there is none (or it cannot be read). */
export function addressSpaceLimit(limits = readLimits()): number | undefined {
  const line = limits?.split('\n').find((l) => l.startsWith('Max address space'));
  const soft = line?.slice('Max address space'.length).trim().split(/\s+/)[0];
  return soft === undefined || soft === 'unlimited' || !/^\d+$/.test(soft) ? undefined : Number(soft);
}

function readLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined; // not Linux
  }
}

export function needsRelaunch(): boolean {
  return (
    addressSpaceLimit() !== undefined &&
    !process.execArgv.includes(TRAP_HANDLER_FLAG) &&
    !(process.env.NODE_OPTIONS ?? '').includes(TRAP_HANDLER_FLAG) &&
    process.allowedNodeEnvironmentFlags.has(TRAP_HANDLER_FLAG)
  );
}

/** Runs this same command again with the flag; resolves to its exit code, passing signals on. */
export function relaunch(): Promise<number> {
  const child = spawn(process.execPath, [TRAP_HANDLER_FLAG, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  // A terminal's Ctrl-C reaches the child directly (same process group), so SIGINT is only kept from
  // ending this parent early; SIGTERM and SIGHUP from elsewhere are passed on.
  const handlers = [
    ['SIGINT', () => undefined],
    ['SIGTERM', () => child.kill('SIGTERM')],
    ['SIGHUP', () => child.kill('SIGHUP')],
  ] as const;
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      for (const [name, handler] of handlers) process.off(name, handler);
      if (signal) process.kill(process.pid, signal);
      resolve(code ?? 1);
    });
  });
}

if (needsRelaunch()) process.exit(await relaunch());
