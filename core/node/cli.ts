#!/usr/bin/env node
// First: restarts the CLI with the flag WebAssembly needs under an address-space limit (see there).
import './address-space.js';
import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { progressReporter } from './cli-progress.js';
import type { EngineEvent } from '../api/contract.js';
import { describeBackendReport } from '../backend/backend-report.js';
import { PRUNEFLOW_VERSION } from '../version.js';
import { formatDatasetPreview, formatPruneTable, formatModelReport } from './cli-output.js';
import { addInputFlags } from './cli-input-flags.js';
import { cipSwitches, DEFAULT_DISTILL_TEMPERATURE, type PruneFlags, pruneConfigFrom } from './cli-prune-config.js';
import { addRunFlags, FLAGGED_OPTIONS, runOptionParser } from './cli-run-flags.js';
import { formatProjectInfo, projectInfo, relinkProjectDataset } from './cli-project.js';
import { formatSensitivityReport } from './cli-sensitivity-output.js';
import { listCriteria } from '../importance/registry.js';
import { BUILTIN_DATA } from '../session/run-inputs.js';
import { FLOPS_CONVENTION } from '../models/model-cost.js';
import { MODEL_ZOO } from '../models/zoo.js';
import { createNodeEngine } from './node-engine.js';
import { DEFAULT_HOST, DEFAULT_PORT, serve } from './serve/serve-command.js';
import { EXIT } from './cli-exit.js';
import { addModelCommands } from './cli-model-commands.js';
import { addProjectCommands } from './cli-project-commands.js';
import { addSweepCommands } from './cli-sweep-commands.js';

export { EXIT };

const engineFor = (backendFlag: string | undefined) => createNodeEngine('cli', { backendFlag });

function fraction(value: string): number {
  const number = Number(value);
  if (!(number > 0 && number < 1)) throw new InvalidArgumentError('must be a number between 0 and 1, e.g. 0.5');
  return number;
}

function collectRatio(value: string, previous: Record<string, number>): Record<string, number> {
  const [layer, share] = value.split('=');
  const ratio = Number(share);
  if (!layer || !(ratio > 0 && ratio < 1)) throw new InvalidArgumentError('expected layer=share with a share between 0 and 1, e.g. conv1=0.25');
  return { ...previous, [layer]: ratio };
}

function share(value: string): number {
  const number = Number(value);
  if (!(number >= 0 && number <= 1)) throw new InvalidArgumentError('must be a number from 0 to 1, e.g. 0.5');
  return number;
}

function positive(value: string): number {
  const number = Number(value);
  if (!(number > 0 && Number.isFinite(number))) throw new InvalidArgumentError('must be a number above 0');
  return number;
}

function count(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return number;
}

function sampleSizes(value: string): { train: number; test: number } {
  const [train, test = Math.max(10, Math.round(Number(train) / 5))] = value.split(',').map(Number);
  if (![train, test].every((n) => Number.isInteger(n) && n >= 10))
    throw new InvalidArgumentError('expected TRAIN[,TEST] image counts of 10 or more, e.g. 1000,200');
  return { train, test };
}

function portNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return number;
}

const criterionChoices = {
  criterion: `: ${listCriteria()
    .map((c) => c.id)
    .join(', ')}`,
};

const program = new Command('pruneflow')
  .description('Pruneflow: make convolutional networks smaller and faster by structured channel pruning')
  .version(PRUNEFLOW_VERSION)
  .option('--backend <name>', 'compute backend: auto, node-gpu, node, wasm or cpu; webgpu and webgl run in the app window (also PRUNEFLOW_BACKEND)')
  .showHelpAfterError();

program
  .command('info')
  .description('show the version and which compute backend the engine runs on, and why')
  .option('--json', 'print JSON for scripts')
  .action(async (options: { json?: boolean }) => {
    const info = await (await engineFor(program.opts().backend)).getInfo();
    console.log(options.json ? JSON.stringify(info, null, 2) : `Pruneflow ${info.version}\n${describeBackendReport(info.backend)}`);
  });

const pruneCommand = addInputFlags(program.command('prune'))
  .description('prune a model: train (or load) it, score its channels, remove them to meet a target, fine-tune, compare')
  .option('--demo', 'the built-in end-to-end example: demo CNN on the bundled Fashion-MNIST sample, L1, 50% FLOPs')
  .option('--model <model>', `a built-in model (${MODEL_ZOO.map((e) => e.id).join(', ')}) or a model file`)
  .option('--data <path>', `a data set (file, folder or archive), or ${BUILTIN_DATA}`)
  .option('--target-flops <fraction>', 'share of FLOPs to remove', fraction)
  .option('--target-params <fraction>', 'share of parameters to remove', fraction)
  .option('--reduction <fraction>', 'same as --target-flops (kept for the demo)', fraction)
  .option('--layer-ratio <layer=share>', 'remove this share of one layer by hand (repeatable)', collectRatio, {})
  .option('--distill-weight <w>', 'fine-tune with knowledge distillation from the unpruned model: share of the loss from its soft predictions, 0 to 1', share)
  .option('--distill-temperature <T>', `distillation temperature (default ${DEFAULT_DISTILL_TEMPERATURE})`, positive)
  .option(
    '--patience <epochs>',
    'early stopping: stop a training stage after this many epochs without better validation accuracy, keeping the best weights',
    count,
  )
  .option(
    '--cip <switches>',
    'criterion cip: its switches as name=value pairs, e.g. alpha=0,beta=0.5,tau=1,sigmoid=off,rowNormalisation=on (docs/cip.md)',
    cipSwitches,
  )
  .option('--sample <train,test>', 'quick trial: a stratified sample of this many training and test images', sampleSizes)
  .option('--export <folder>', 'write the pruned model into this folder')
  .option('--format <format>', 'export format: tfjs (default), keras-h5, keras, onnx or tflite')
  .option('--overwrite', 'replace a model already exported in the --export folder (refused otherwise)')
  .option('--fit-input', "resize and convert (gray <-> colour) the images to a model file's input instead of refusing a mismatch")
  .option('--config <file>', 'read the options from a JSON file (flags given on the command line win)')
  .option('--project <file>', 'add the session to this project file (.pruneflow), made if absent; an existing one lends its baseline and data set')
  .option('--json', 'print the result as JSON for scripts');
// Every run option that is one plain value, from core/api/run-options.ts.
addRunFlags(pruneCommand, FLAGGED_OPTIONS, criterionChoices);
pruneCommand.action(async (options: PruneFlags) => {
  const config = await pruneConfigFrom(options);
  const engine = await engineFor(program.opts().backend);
  const info = await engine.getInfo();
  if (!options.json) console.error(describeBackendReport(info.backend));
  const cancelled = config.project
    ? savedOnCancel(config.project)
    : config.checkpointDir
      ? `Cancelled: the latest checkpoints are in ${config.checkpointDir}.`
      : undefined;
  process.exitCode = await runTask(engine, engine.startPruning(config), Boolean(options.json), cancelled);
});

const sensitivityCommand = addInputFlags(program.command('sensitivity'))
  .description('prune each channel group alone at several shares and print the accuracy drop (cached beside the settings)')
  .requiredOption('--model <model>', `a built-in model (${MODEL_ZOO.map((e) => e.id).join(', ')}) or a model file`)
  .requiredOption('--data <path>', `a data set (file, folder or archive), or ${BUILTIN_DATA}`)
  .option('--ratios <list>', 'shares of each group to remove, ascending (default 0.25,0.5,0.75)', runOptionParser('sensitivityRatios'))
  .option('--images <n>', 'training images to measure accuracy on (default 500)', runOptionParser('sensitivityImages'))
  .option('--json', 'print the report as JSON for scripts');
addRunFlags(sensitivityCommand, ['criterion', 'trainEpochs', 'batchSize', 'learningRate', 'calibrationBatches', 'seed'], criterionChoices);
sensitivityCommand.action(async (options: PruneFlags & { ratios?: number[]; images?: number }) => {
  const config = await pruneConfigFrom({ ...options, sensitivityRatios: options.ratios, sensitivityImages: options.images });
  const engine = await engineFor(program.opts().backend);
  if (!options.json) console.error(describeBackendReport((await engine.getInfo()).backend));
  process.exitCode = await runTask(engine, engine.startSensitivity(config), Boolean(options.json));
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
  .description("show a model's layers, its channel groups and what can be pruned")
  .argument('<model>', `a built-in model (${MODEL_ZOO.map((e) => e.id).join(', ')}) or a model file (model.json, .h5, .keras, .onnx)`)
  .option('--json', 'print JSON for scripts')
  .action(async (source: string, options: { json?: boolean }) => {
    const report = await (await engineFor(program.opts().backend)).inspectModel(source);
    console.log(options.json ? JSON.stringify(report, null, 2) : formatModelReport(source, report, FLOPS_CONVENTION));
  });

program
  .command('serve')
  .description('run the app in your browser: a local web server with the same user interface and engine')
  .option('--port <n>', `port to listen on, 0 for any free one (default ${DEFAULT_PORT}, or a free one if it is taken)`, portNumber)
  .option('--host <address>', `address to listen on (default ${DEFAULT_HOST}: this computer only)`)
  .option('--no-open', 'print the link but do not open a browser')
  .action((options: { port?: number; host?: string; open: boolean }) => serve({ ...options, backend: program.opts().backend }));

const projectCommand = program.command('project').description('inspect project files (.pruneflow)');

projectCommand
  .command('info')
  .description('show a project: its data set, its baseline and every session with its metrics')
  .argument('<file>', 'a project file (.pruneflow)')
  .option('--json', 'print JSON for scripts')
  .action(async (file: string, options: { json?: boolean }) => {
    const info = await projectInfo(file);
    console.log(options.json ? JSON.stringify(info, null, 2) : formatProjectInfo(info));
  });

addProjectCommands(program, () => engineFor(program.opts().backend));
addModelCommands(program, () => engineFor(program.opts().backend));
addSweepCommands(program, () => program.opts().backend);

program
  .command('resume')
  .description('finish an interrupted, cancelled or failed session of a project file from its last checkpoint')
  .argument('<file>', 'a project file (.pruneflow)')
  .option('--session <id>', 'which session (needed only when several are unfinished)')
  .option('--data <path>', "the project's data set at its new place, if it moved (its content must be the same)")
  .option('--json', 'print the result as JSON for scripts')
  .action(async (file: string, options: { session?: string; data?: string; json?: boolean }) => {
    if (options.data) await relinkProjectDataset(file, options.data);
    const engine = await engineFor(program.opts().backend);
    const info = await engine.getInfo();
    if (!options.json) console.error(describeBackendReport(info.backend));
    process.exitCode = await runTask(engine, engine.resumeSession(file, options.session), Boolean(options.json), savedOnCancel(file));
  });

/** Said once the task has stopped: a new project's file exists only from its first checkpoint on. */
function savedOnCancel(file: string): () => string {
  return () =>
    existsSync(file)
      ? `Cancelled: ${file} keeps the session's latest checkpoint; go on with: pruneflow resume ${file}`
      : 'Cancelled before the first checkpoint: nothing was written.';
}

/** Runs a task with a progress bar on stderr; Ctrl-C cancels at the next batch. */
async function runTask(
  engine: Awaited<ReturnType<typeof engineFor>>,
  started: Promise<{ taskId: string }>,
  json: boolean,
  cancelledMessage: string | (() => string) = 'Cancelled: nothing was written.',
): Promise<number> {
  const progress = progressReporter(json);
  // Listening starts before the task's id is known: a task that fails at once may end before `started` settles.
  const early: EngineEvent[] = [];
  let onTaskEvent = (event: EngineEvent) => void early.push(event);
  const unsubscribe = engine.onEvent((event) => onTaskEvent(event));
  let taskId: string;
  try {
    ({ taskId } = await started);
  } catch (error) {
    unsubscribe();
    throw error;
  }
  const onSigint = () => {
    console.error('\nCancelling at the next batch (press Ctrl-C again to force quit)...');
    process.off('SIGINT', onSigint);
    void engine.cancelTask(taskId);
  };
  process.on('SIGINT', onSigint);
  return new Promise((resolve) => {
    const finish = (code: number, text?: string, toStderr = false) => {
      progress.stop();
      process.off('SIGINT', onSigint);
      unsubscribe();
      if (text) (toStderr ? console.error : console.log)(text);
      resolve(code);
    };
    onTaskEvent = (event: EngineEvent) => {
      if (event.taskId !== taskId) return;
      if (event.type === 'task-progress') progress.onProgress(event.progress);
      else if (event.type === 'task-warning') progress.onProgress({ stage: 'warning', step: 0, total: 0, message: event.message });
      else if (event.type === 'task-done') {
        finish(EXIT.ok, json ? JSON.stringify(event.result, null, 2) : formatPruneTable(event.result));
      } else if (event.type === 'sensitivity-done') {
        finish(EXIT.ok, json ? JSON.stringify(event.result, null, 2) : formatSensitivityReport(event.result));
      } else if (event.type === 'task-cancelled') {
        finish(EXIT.cancelled, typeof cancelledMessage === 'string' ? cancelledMessage : cancelledMessage(), true);
      } else if (event.type === 'task-failed') {
        const hint = event.error.name === 'DatasetMovedError' ? '\nGive its new place with --data <path>; Pruneflow checks that its content is the same.' : '';
        finish(EXIT.failed, `${event.error.name}: ${event.error.message}${hint}`, true);
      }
    };
    for (const event of early.splice(0)) onTaskEvent(event);
  });
}

program.parseAsync(process.argv).catch((error: unknown) => {
  const err = error instanceof Error ? error : new Error(String(error));
  console.error(`${err.name}: ${err.message}`);
  process.exitCode = EXIT.failed;
});
