import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { REPORT_FILE } from './paths.js';

const HEADER = `# Benchmarks

Measured by \`npm run bench\`, which rewrites each section between its markers and leaves the rest alone.
Numbers vary from run to run, and by a lot on a machine shared with other work: compare the ratios
measured side by side in one run rather than numbers across runs.
`;

/** Replaces one benchmark's section of docs/benchmarks.md (or of `file`) between its markers, or appends it. */
export function writeReportSection(id: string, body: string, command = 'npm run bench', file = REPORT_FILE): void {
  const begin = `<!-- bench:${id} begin (rewritten by ${command}) -->`;
  const end = `<!-- bench:${id} end -->`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const block = `${begin}\n${body.trim()}\n${end}`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  const updated = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, updated);
}
