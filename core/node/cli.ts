#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import type { DemoOptions, EngineEvent } from '../api/contract.js';
import { DEFAULT_DEMO_OPTIONS } from '../api/contract.js';
import { describeBackendReport } from '../backend/backend-report.js';
import { PRUNEFLOW_VERSION } from '../version.js';
import { formatDatasetPreview, formatDemoTable, formatModelReport } from './cli-output.js';
import { FLOPS_CONVENTION } from '../models/model-cost.js';
import { MODEL_ZOO } from '../models/zoo.js';
import { createNodeEngine } from './node-engine.js';

/** Exit codes a script can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

const engineFor = (backendFlag: string | undefined) => createNodeEngine('cli', { backendFlag });

function fraction(value: string): number {
  const number = Number(value);
  if (!(number > 0 && number < 1)) throw new InvalidArgumentError('must be a number between 0 and 1, e.g. 0.5');
  return number;
}

function count(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return number;
}

const program = new Command('pruneflow')
  .description('Pruneflow: make convolutional networks smaller and faster by structured channel pruning')
  .version(PRUNEFLOW_VERSION)
  .option('--backend <name>', 'compute backend: auto, node-gpu, node, wasm or cpu (also PRUNEFLOW_BACKEND)')
  .showHelpAfterError();

program
  .command('info')
  .description('show the version and which compute backend the engine runs on, and why')
  .option('--json', 'print JSON for scripts')
  .action(async (options: { json?: boolean }) => {
    const info = await (await engineFor(program.opts().backend)).getInfo();
    console.log(options.json ? JSON.stringify(info, null, 2) : `Pruneflow ${info.version}\n${describeBackendReport(info.backend)}`);
  });

program
  .command('prune')
  .description('prune a model; --demo runs the built-in end-to-end example')
  .option('--demo', 'train the demo CNN on the built-in Fashion-MNIST sample, prune it by L1 norm, fine-tune and compare')
  .option('--reduction <fraction>', 'share of FLOPs to remove', fraction, DEFAULT_DEMO_OPTIONS.flopsReduction)
  .option('--epochs <n>', 'baseline training epochs', count, DEFAULT_DEMO_OPTIONS.trainEpochs)
  .option('--fine-tune-epochs <n>', 'fine-tuning epochs after pruning', count, DEFAULT_DEMO_OPTIONS.fineTuneEpochs)
  .option('--seed <n>', 'random seed', count, DEFAULT_DEMO_OPTIONS.seed)
  .option('--json', 'print the result as JSON for scripts')
  .action(async (options: { demo?: boolean; reduction: number; epochs: number; fineTuneEpochs: number; seed: number; json?: boolean }) => {
    if (!options.demo) {
      program.error('pruneflow prune: only --demo is available in this version (pruning your own model and data comes next)', { exitCode: EXIT.usage });
    }
    const engine = await engineFor(program.opts().backend);
    const info = await engine.getInfo();
    if (!options.json) console.error(describeBackendReport(info.backend));
    const demoOptions: DemoOptions = { flopsReduction: options.reduction, trainEpochs: options.epochs, fineTuneEpochs: options.fineTuneEpochs, seed: options.seed };
    process.exitCode = await runTask(engine, demoOptions, Boolean(options.json));
  });

const data = program.command('data').description('inspect data sets');

data
  .command('info')
  .description('recognise a data set (file, folder or .tar.gz archive) and show its format, classes, counts and warnings')
  .argument('<path>', 'a data file, a folder or an archive')
  .option('--json', 'print JSON for scripts (thumbnails left out)')
  .action(async (path: string, options: { json?: boolean }) => {
    const preview = await (await engineFor(program.opts().backend)).inspectDataset(path);
    if (options.json) console.log(JSON.stringify({ path, ...preview, samples: undefined }, null, 2));
    else console.log(formatDatasetPreview(path, preview));
  });

const modelCommand = program.command('model').description('inspect models');

modelCommand
  .command('info')
  .description('show a model\'s layers, its channel groups and what can be pruned')
  .argument('<model>', `a built-in model (${MODEL_ZOO.map((e) => e.id).join(', ')}) or a model file (model.json, .h5, .keras)`)
  .option('--json', 'print JSON for scripts')
  .action(async (source: string, options: { json?: boolean }) => {
    const report = await (await engineFor(program.opts().backend)).inspectModel(source);
    console.log(options.json ? JSON.stringify(report, null, 2) : formatModelReport(source, report, FLOPS_CONVENTION));
  });

/** Runs the demo with a progress bar on stderr; Ctrl-C cancels at the next batch. */
async function runTask(engine: Awaited<ReturnType<typeof engineFor>>, options: DemoOptions, json: boolean): Promise<number> {
  const bar = new SingleBar({ format: '{stage} [{bar}] {value}/{total} {message}', hideCursor: true, clearOnComplete: true, stream: process.stderr }, Presets.shades_classic);
  const showBar = process.stderr.isTTY && !json;
  let barStage = '';
  const { taskId } = await engine.startDemo(options);
  const onSigint = () => {
    console.error('\nCancelling at the next batch (press Ctrl-C again to force quit)...');
    process.off('SIGINT', onSigint);
    void engine.cancelTask(taskId);
  };
  process.on('SIGINT', onSigint);
  return new Promise((resolve) => {
    const finish = (code: number, text?: string, toStderr = false) => {
      if (barStage) bar.stop();
      process.off('SIGINT', onSigint);
      unsubscribe();
      if (text) (toStderr ? console.error : console.log)(text);
      resolve(code);
    };
    const unsubscribe = engine.onEvent((event: EngineEvent) => {
      if (event.type === 'task-progress') {
        const { stage, step, total, message } = event.progress;
        if (total > 0 && showBar) {
          if (stage !== barStage) {
            if (barStage) bar.stop();
            bar.start(total, step, { stage, message });
            barStage = stage;
          } else bar.update(step, { message });
        } else if (!json && (total === 0 || step === 1 || step === total)) {
          // Without a terminal (logs, CI): one line when a stage starts and one when it ends.
          console.error(`${stage}: ${message}`);
        }
      } else if (event.type === 'task-done') {
        finish(EXIT.ok, json ? JSON.stringify(event.result, null, 2) : formatDemoTable(event.result));
      } else if (event.type === 'task-cancelled') {
        finish(EXIT.cancelled, 'Cancelled: nothing was saved.', true);
      } else {
        finish(EXIT.failed, `${event.error.name}: ${event.error.message}`, true);
      }
    });
  });
}

program.parseAsync(process.argv).catch((error: unknown) => {
  const err = error instanceof Error ? error : new Error(String(error));
  console.error(`${err.name}: ${err.message}`);
  process.exitCode = EXIT.failed;
});
