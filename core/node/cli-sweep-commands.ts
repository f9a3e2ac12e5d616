import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { jobCount, parseSweepSpec, type SweepJobView } from '../api/sweep.js';
import { runSweep, type SweepExecutor } from '../session/sweep-coordinator.js';
import { EXIT } from './cli-exit.js';
import { formatSweepSummary, sweepProgressLine } from './cli-sweep-output.js';
import { nodeProjectStore } from './project-file.js';
import { localExecutor } from './sweep/local-executor.js';
import { queueExecutor } from './sweep/queue-executor.js';
import { startQueueWorker } from './sweep/queue-worker.js';

function whole(min: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min) throw new InvalidArgumentError(`must be a whole number, ${min} or more`);
    return number;
  };
}

function redisUrl(value: string): string {
  if (!/^rediss?:\/\/[^\s]+$/.test(value)) throw new InvalidArgumentError('must be a Redis URL, e.g. redis://localhost:6379');
  return value;
}

/** Reads a sweep spec; its project path is taken relative to the spec file's folder. */
async function readSpec(file: string) {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InvalidArgumentError(`${file}: ${(error as Error).message}`);
  }
  const spec = parseSweepSpec(value, file);
  return { ...spec, project: isAbsolute(spec.project) ? spec.project : resolve(dirname(file), spec.project) };
}

/** `--workers`: a number of threads, or "gpu" (one process per GPU). */
function workerCount(value: string): number | 'gpu' {
  return value === 'gpu' ? 'gpu' : whole(1)(value);
}

interface SweepFlags {
  workers?: number | 'gpu';
  queue?: string;
  attempts?: number;
  backoffMs?: number;
  json?: boolean;
}

/** `sweep` (the coordinator: runs or enqueues the jobs, writes the project) and `worker` (runs queued jobs). */
export function addSweepCommands(program: Command, backendFlag: () => string | undefined): void {
  program
    .command('sweep')
    .description('run a grid of pruning sessions over one project (criteria, targets, schedules, epochs, seeds); each result becomes a session of the project')
    .argument('<spec>', 'a sweep spec (JSON): project, axes, fixed settings, early-stop margin (see README, "Sweeps")')
    .option(
      '--workers <n|gpu>',
      'worker threads on this machine (default: the spec\'s "workers", else one per core), or "gpu": one process per GPU, pinned by CUDA_VISIBLE_DEVICES',
      workerCount,
    )
    .option('--queue <url>', 'enqueue on a Redis server (BullMQ) for `pruneflow worker` processes, e.g. redis://localhost:6379', redisUrl)
    .option('--attempts <n>', 'with --queue: tries per session (a failure or a lost worker each use one; default 3)', whole(1))
    .option('--backoff-ms <ms>', 'with --queue: delay before the first retry, doubled for each next (default 2000)', whole(0))
    .option('--json', 'print the summary as JSON for scripts')
    .action(async (file: string, flags: SweepFlags) => {
      const spec = await readSpec(file);
      const executor: SweepExecutor = flags.queue
        ? queueExecutor({ url: flags.queue, attempts: flags.attempts, backoffMs: flags.backoffMs })
        : localExecutor({ workers: flags.workers ?? spec.workers, backendFlag: backendFlag() });
      const controller = new AbortController();
      const onSigint = () => {
        console.error('\nCancelling the sweep: queued sessions are dropped, running ones stop at the next batch (press Ctrl-C again to force quit)...');
        process.off('SIGINT', onSigint);
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      const total = jobCount(spec.axes);
      const order = new Map<string, number>();
      const shown = new Map<string, string>();
      try {
        const summary = await runSweep(spec, executor, {
          store: nodeProjectStore,
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type !== 'sweep-job') return;
            const { job } = event;
            if (!order.has(job.sessionId)) order.set(job.sessionId, order.size + 1);
            const key = `${job.status}|${job.worker ?? ''}|${job.attempts ?? ''}|${job.status === 'queued' ? (job.message ?? '') : ''}`;
            if (shown.get(job.sessionId) === key) return;
            shown.set(job.sessionId, key);
            console.error(sweepProgressLine(job, order.get(job.sessionId)!, total));
          },
        });
        console.log(flags.json ? JSON.stringify(summary, null, 2) : formatSweepSummary(summary));
        const any = (status: SweepJobView['status']) => summary.jobs.some((j) => j.status === status);
        process.exitCode = controller.signal.aborted || any('cancelled') ? EXIT.cancelled : any('failed') ? EXIT.failed : EXIT.ok;
      } finally {
        process.off('SIGINT', onSigint);
        await executor.close();
      }
    });

  program
    .command('worker')
    .description('run sweep sessions queued on a Redis server (BullMQ) by `pruneflow sweep --queue`, one at a time, until stopped')
    .requiredOption('--queue <url>', 'the Redis server, e.g. redis://coordinator:6379', redisUrl)
    .option('--data <path>', "this machine's path to the projects' data set (checked against the project's content hash before a job)")
    .option('--name <name>', "how this worker shows in the sweep's progress (default host:pid)")
    .option('--lock-ms <ms>', 'job lock: a worker gone for this long loses its job to another (default 30000)', whole(100))
    .option('--stalled-ms <ms>', 'how often jobs of vanished workers are looked for (default 30000)', whole(100))
    .action(async (flags: { queue: string; data?: string; name?: string; lockMs?: number; stalledMs?: number }) => {
      const started = startQueueWorker({
        url: flags.queue,
        dataPath: flags.data,
        name: flags.name,
        backendFlag: backendFlag(),
        lockMs: flags.lockMs,
        stalledMs: flags.stalledMs,
        onLine: (line) => console.error(line),
      });
      await started.worker.waitUntilReady();
      console.error(`worker ${flags.name ?? ''} waiting for jobs on ${flags.queue}`.replace('  ', ' '));
      await new Promise<void>((resolve) => {
        const stop = () => {
          console.error('Stopping: the running session finishes first (press Ctrl-C again to quit now)');
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.once('SIGINT', () => process.exit(EXIT.cancelled));
          void started.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
