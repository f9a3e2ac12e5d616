// Issue 18's session benchmark (npm run bench:session; `-- --tiny`: 256 images and 1 epoch, its section and
// report.json in the scratch folder rather than docs/benchmarks.md; `-- --scratch DIR` sets that folder): see
// session-bench.ts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeReportSection } from './report-file.js';
import { runSessionBench } from './session-bench.js';
import { resultBlock, sessionMarkdown } from './session-report.js';

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const tiny = args.includes('--tiny');
  const at = args.indexOf('--scratch');
  const report = await runSessionBench({ mode: tiny ? 'tiny' : 'full', scratch: at >= 0 ? args[at + 1] : undefined, log });
  console.log(`\n${resultBlock(report)}`);
  if (tiny) {
    const file = join(report.scratch, 'section.md');
    await writeFile(file, sessionMarkdown(report));
    await writeFile(join(report.scratch, 'report.json'), JSON.stringify(report, null, 2));
    log(`tiny mode: the section and report.json are in ${report.scratch} (docs/benchmarks.md is left alone)`);
  } else {
    writeReportSection('session', sessionMarkdown(report), 'npm run bench:session');
    log('docs/benchmarks.md: section "Pruning session against Torch-Pruning" rewritten');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
