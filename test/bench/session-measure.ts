import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

// How the session benchmark times a process: its wall time, and the CPU time it and its waited-for children used
// (Linux's /proc/self/stat counts a child's user+sys time into its parent's once the child is reaped).

/** Clock ticks per second of /proc's times (getconf CLK_TCK; 100 on every Linux this runs on). */
function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** User+sys seconds of this process's reaped children, from one line of /proc/PID/stat (fields 16 and 17). */
export function childCpuSeconds(stat: string, ticksPerSecond: number): number {
  // The command name (field 2) may hold spaces and parentheses: the fields after it start past its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): cutime is field 16, cstime field 17.
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  if (!Number.isFinite(cutime) || !Number.isFinite(cstime)) throw new Error(`/proc/self/stat has no child times: ${stat.slice(0, 80)}`);
  return (cutime + cstime) / ticksPerSecond;
}

export interface Measured<T> {
  value: T;
  wallSeconds: number;
  /** User+sys seconds of the processes `work` started and waited for (their threads included); undefined without /proc. */
  cpuSeconds?: number;
}

const readChildCpu = (ticks: number): number | undefined => {
  try {
    return childCpuSeconds(readFileSync('/proc/self/stat', 'utf8'), ticks);
  } catch {
    return undefined;
  }
};

/** Times `work`, which runs child processes to their end; nothing else may start children meanwhile. */
export async function measureChildren<T>(work: () => Promise<T>): Promise<Measured<T>> {
  const ticks = clockTicks();
  const cpuBefore = readChildCpu(ticks);
  const started = performance.now();
  const value = await work();
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuAfter = readChildCpu(ticks);
  return { value, wallSeconds, cpuSeconds: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined };
}

export interface Finished {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` to its end, passing each line of its stderr to `onLine` as it comes. */
export function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      lines.filter((l) => l.trim()).forEach(onLine);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (partial.trim()) onLine(partial);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
