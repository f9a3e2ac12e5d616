import { type Command, InvalidArgumentError, Option } from 'commander';
import type { EngineApi, ModelExportFormat, ReportFormat } from '../api/contract.js';
import { REPORT_FORMATS } from '../report/render-report.js';
import { buildReport } from '../session/project-calls.js';
import { formatComparison } from './cli-compare.js';
import { parseSessionRef } from './cli-session-ref.js';
import { nodeProjectStore } from './project-file.js';

const MODEL_FORMATS: readonly ModelExportFormat[] = ['tfjs', 'keras-h5', 'keras', 'onnx', 'tflite'];
const collect = (value: string, previous: string[]) => [...previous, value];

/** A report's format from --format, else from the --out file's extension, else HTML. */
function reportFormat(format: string | undefined, out: string | undefined): ReportFormat {
  const chosen = format ?? /\.(html|md|csv)$/i.exec(out ?? '')?.[1].toLowerCase() ?? 'html';
  if (!(REPORT_FORMATS as readonly string[]).includes(chosen))
    throw new InvalidArgumentError(`Unknown report format '${chosen}'; use ${REPORT_FORMATS.join(', ')}`);
  return chosen as ReportFormat;
}

/** `compare`, `report` and `export`: the project-file verbs, over the engine's project calls. */
export function addProjectCommands(program: Command, engine: () => Promise<EngineApi>): void {
  program
    .command('compare')
    .description('compare sessions of one or several projects: accuracy, FLOPs, parameters, latency, time, the Pareto front and layer widths')
    .argument('<sessions...>', 'project files (every session) or FILE.pruneflow:SESSION (one, by id or name)')
    .option('--json', 'print JSON for scripts: rows, chart points with the Pareto front flagged, layer widths')
    .action(async (refs: string[], options: { json?: boolean }) => {
      const comparison = await (await engine()).compareSessions(refs.map(parseSessionRef));
      console.log(options.json ? JSON.stringify(comparison, null, 2) : formatComparison(comparison));
    });

  program
    .command('report')
    .description("write a report of a project's sessions: a self-contained HTML page with charts, Markdown or CSV")
    .argument('<file>', 'a project file (.pruneflow)')
    .option('--session <id>', 'a session by id or name (repeatable; default: every session)', collect, [])
    .addOption(new Option('--format <format>', "html, md or csv (default: from --out's extension, else html)").choices(REPORT_FORMATS))
    .option('--out <path>', 'the report file, written atomically (default: print to stdout)')
    .option('--json', 'print JSON for scripts: the file written')
    .action(async (file: string, options: { session: string[]; format?: ReportFormat; out?: string; json?: boolean }) => {
      const format = reportFormat(options.format, options.out);
      if (!options.out) {
        process.stdout.write(await buildReport(file, options.session, format, { projects: nodeProjectStore }));
        return;
      }
      const written = await (await engine()).writeReport(file, options.session, format, options.out);
      console.log(options.json ? JSON.stringify({ ...written, format }, null, 2) : `wrote ${written.file}`);
    });

  program
    .command('export')
    .description("replay a session on its project's baseline and write the pruned, fine-tuned model")
    .argument('<file>', 'a project file (.pruneflow)')
    .requiredOption('--session <id>', 'the session, by id (s1) or name')
    .addOption(new Option('--format <format>', 'model format').choices(MODEL_FORMATS).default('tfjs'))
    .requiredOption('--out <folder>', 'folder for the model files (made if absent)')
    .option('--fold-batch-norm', 'ONNX: fold each batch norm into the layer before it (same outputs at inference, fewer nodes)')
    .option('--json', 'print JSON for scripts: the files written')
    .action(async (file: string, options: { session: string; format: ModelExportFormat; out: string; foldBatchNorm?: boolean; json?: boolean }) => {
      if (options.foldBatchNorm && options.format !== 'onnx') throw new InvalidArgumentError('--fold-batch-norm applies to --format onnx only');
      const { files } = await (
        await engine()
      ).exportSession(file, options.session, options.format, options.out, options.foldBatchNorm ? { foldBatchNorm: true } : undefined);
      console.log(options.json ? JSON.stringify({ files, format: options.format }, null, 2) : files.map((f) => `wrote ${f}`).join('\n'));
    });
}
