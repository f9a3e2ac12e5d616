import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FUZZ_TARGETS } from './fuzz/fuzz-targets.js';

/**
 * `npm run bench:fuzz`: mutation fuzzing of every file parser at nightly size (10,000 mutants per format
 * by default; `--runs N`, `--targets png,zip`, `--seed S`). Each format runs in a child process watched
 * for hangs: a mutant silent for longer than the watchdog is recorded as a hang and the run goes on after
 * it. Prints each format's outcomes (valid, each named error), its slowest mutant and every finding.
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const RUNS = Number(option('runs', '10000'));
const SEED = Number(option('seed', '20261206'));
const WATCHDOG_MS = Number(option('watchdog-ms', '60000'));
const STARTUP_MS = 180_000;
const targets = option('targets', FUZZ_TARGETS.map((t) => t.id).join(',')).split(',');
const CHILD = fileURLToPath(new URL('./fuzz/fuzz-child.js', import.meta.url));

interface Tally {
  outcomes: Map<string, number>;
  findings: string[];
  slowest: { ms: number; mutant: string };
  seconds: number;
}

async function fuzzTarget(id: string): Promise<Tally> {
  const tally: Tally = { outcomes: new Map(), findings: [], slowest: { ms: 0, mutant: '' }, seconds: 0 };
  const started = performance.now();
  let next = 0;
  while (next < RUNS) {
    let current = '';
    const child = spawn(process.execPath, [CHILD, id, String(RUNS), String(SEED), String(next)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let timer: NodeJS.Timeout | undefined;
    let hung = false;
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, ms);
    };
    // The child's start (backend, seeds) is not a mutant: on a loaded machine it may take longer than one.
    arm(Math.max(WATCHDOG_MS, STARTUP_MS));
    for await (const line of createInterface({ input: child.stdout })) {
      arm(WATCHDOG_MS);
      const [kind, index, rest] = [line[0], Number(line.split(' ')[1]), line.slice(line.indexOf(' ', 2) + 1)];
      if (kind === 'M') current = rest;
      if (kind !== 'R') continue;
      const [outcome, ms, , ...problem] = rest.split(' ');
      tally.outcomes.set(outcome, (tally.outcomes.get(outcome) ?? 0) + 1);
      if (Number(ms) > tally.slowest.ms) tally.slowest = { ms: Number(ms), mutant: current };
      if (problem.length > 0) tally.findings.push(`#${index} ${JSON.parse(problem.join(' '))}\n    mutant: ${current}`);
      next = index + 1;
    }
    clearTimeout(timer);
    const code: number | null = child.exitCode ?? (await new Promise((resolve) => child.once('exit', resolve)));
    if (next < RUNS) {
      // The mutant after the last finished one hung or crashed the process: record it and go on past it.
      tally.outcomes.set(hung ? 'hang' : 'crash', (tally.outcomes.get(hung ? 'hang' : 'crash') ?? 0) + 1);
      tally.findings.push(`#${next} ${hung ? `no answer in ${WATCHDOG_MS / 1000} s (hang)` : `the process ended (exit ${code})`}\n    mutant: ${current}`);
      next++;
    }
  }
  tally.seconds = (performance.now() - started) / 1000;
  return tally;
}

console.log(`Mutation fuzzing: ${RUNS} mutants per format, seed ${SEED}, watchdog ${WATCHDOG_MS / 1000} s\n`);
let findings = 0;
for (const id of targets) {
  const tally = await fuzzTarget(id);
  const outcomes = [...tally.outcomes]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  console.log(`${id}: ${tally.seconds.toFixed(0)} s; ${outcomes}; slowest ${tally.slowest.ms.toFixed(0)} ms`);
  for (const finding of tally.findings) console.log(`  FINDING ${finding}`);
  findings += tally.findings.length;
}
console.log(`\n${findings} finding${findings === 1 ? '' : 's'}`);
process.exitCode = findings > 0 ? 1 : 0;
