import { type Command, InvalidArgumentError, Option } from 'commander';
import type { EngineApi } from '../api/contract.js';
import { findSession, UnknownSessionError } from '../compare/select-sessions.js';
import type { ExportFormat } from '../models/io/export-model.js';
import { runOption } from '../api/run-options.js';
import { MODEL_ZOO } from '../models/zoo.js';
import { openSessionModel } from '../project/session-model.js';
import { evaluateModel } from '../session/evaluate-model.js';
import { BUILTIN_DATA } from '../session/run-inputs.js';
import { trainModel } from '../session/train-model.js';
import { formatEvaluation, formatTraining } from './cli-compare.js';
import { EXIT } from './cli-exit.js';
import { readClassNamesFile } from './cli-input-flags.js';
import { runOptionParser } from './cli-run-flags.js';
import { cancelOnCtrlC, progressReporter } from './cli-progress.js';
import { isProjectRef, parseSessionRef } from './cli-session-ref.js';
import { nodeRunHost } from './node-engine.js';
import { loadProjectFile } from './project-file.js';

export class MissingDataError extends Error {
  override name = 'MissingDataError';
}

function whole(min: number) {
  return (value: string) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min) throw new InvalidArgumentError(`must be a whole number, ${min} or more`);
    return number;
  };
}

function positive(value: string): number {
  const number = Number(value);
  if (!(number > 0 && Number.isFinite(number))) throw new InvalidArgumentError('must be a number above 0');
  return number;
}

/** The model and data an `eval` argument names: a model, or a project session with the project's data set. */
async function evaluationSource(model: string, data: string | undefined) {
  if (!isProjectRef(model)) {
    if (!data) throw new MissingDataError(`Give the data set to evaluate ${model} on with --data <path> (or ${BUILTIN_DATA})`);
    return { model, data };
  }
  const ref = parseSessionRef(model);
  const project = await loadProjectFile(ref.path);
  const finished = project.sessions.filter((s) => s.record.weightSpecs.length > 0).map((s) => s.record);
  // A project with one finished session needs no session name.
  if (ref.session === undefined && finished.length !== 1) {
    const known = finished.map((r) => `${r.id} (${r.name})`).join(', ') || 'none';
    throw new UnknownSessionError(`${ref.path} has ${finished.length} finished sessions; name one as ${ref.path}:SESSION (finished: ${known})`);
  }
  const record =
    ref.session === undefined
      ? finished[0]
      : findSession(
          ref.path,
          project.sessions.map((s) => s.record),
          ref.session,
        );
  const session = project.sessions.find((s) => s.record === record)!;
  return { model: `${ref.path}:${record.id}`, data: data ?? project.dataset.path, open: () => openSessionModel(project, session) };
}

/** `eval` and `train`: work on models outside a pruning run, with the engine's backend and a Node host. */
export function addModelCommands(program: Command, engine: () => Promise<EngineApi>): void {
  const backend = async () => (await (await engine()).getInfo()).backend.active;

  program
    .command('eval')
    .description("measure a model on a data set's test split: top-1, top-5 and per-class accuracy")
    .argument(
      '<model>',
      `a model file (model.json, .h5, .keras, .onnx), a built-in model (${MODEL_ZOO.map((e) => e.id).join(', ')}; untrained) or FILE.pruneflow[:SESSION]`,
    )
    .option('--data <path>', `a data set (file, folder or archive) or ${BUILTIN_DATA}; a project session defaults to its project's`)
    .option('--seed <n>', 'seed of the held-out test split, for data sets without one', whole(0))
    .option('--class-names <a,b,c>', runOption('classNames').info.help, runOptionParser('classNames'))
    .option('--class-names-file <file>', "the model's class names, one per line in the order of its outputs")
    .option('--json', 'print JSON for scripts')
    .action(async (model: string, options: { data?: string; seed?: number; classNames?: string[]; classNamesFile?: string; json?: boolean }) => {
      const source = await evaluationSource(model, options.data);
      const classNames = options.classNamesFile ? await readClassNamesFile(options.classNamesFile) : options.classNames;
      await backend();
      const progress = progressReporter(Boolean(options.json));
      const request = { ...source, seed: options.seed, ...(classNames && { classNames }) };
      const evaluation = await evaluateModel(request, { ...nodeRunHost(), onProgress: progress.onProgress }).finally(progress.stop);
      console.log(options.json ? JSON.stringify(evaluation, null, 2) : formatEvaluation(evaluation));
    });

  program
    .command('train')
    .description('train a baseline model from scratch and save it; Ctrl-C stops at the next batch and saves the model as it stands')
    .requiredOption('--model <model>', `a built-in model (${MODEL_ZOO.map((e) => e.id).join(', ')}) or a model file to train further`)
    .requiredOption('--data <path>', `a data set (file, folder or archive) or ${BUILTIN_DATA}`)
    .requiredOption('--epochs <n>', 'training epochs', whole(1))
    .requiredOption('--out <folder>', 'folder for the trained model (made if absent)')
    .addOption(new Option('--format <format>', 'model format').choices(['tfjs', 'keras-h5', 'keras', 'onnx', 'tflite']).default('tfjs'))
    .option('--batch-size <n>', 'training batch size (default 64)', whole(1))
    .option('--lr <rate>', 'learning rate (default 0.002)', positive)
    .addOption(new Option('--optimizer <name>', 'optimizer (default adam)').choices(['adam', 'sgd']))
    .option('--nesterov', "sgd with Nesterov's momentum (PyTorch's nesterov=True)")
    .option('--weight-decay <value>', "weight decay, added to the gradients as PyTorch's weight_decay (default 0)", Number)
    .addOption(new Option('--weight-decay-on <weights>', 'every trainable weight, as PyTorch (default), or kernels only').choices(['all', 'kernels']))
    .addOption(new Option('--lr-schedule <kind>', 'learning rate over training (default cosine)').choices(['cosine', 'step', 'constant']))
    .addOption(new Option('--lr-schedule-every <unit>', 'the schedule moves the rate every batch (default) or every epoch').choices(['batch', 'epoch']))
    .option('--bn-momentum <m>', "batch norms' momentum while training, Keras convention (PyTorch's 0.1 is 0.9)", Number)
    .option('--seed <n>', 'seed of the weights, the shuffles and the augmentation', whole(0))
    .option('--json', 'print JSON for scripts')
    .action(
      async (options: {
        model: string;
        data: string;
        epochs: number;
        out: string;
        format: ExportFormat;
        batchSize?: number;
        lr?: number;
        optimizer?: 'adam' | 'sgd';
        weightDecay?: number;
        lrSchedule?: 'cosine' | 'step' | 'constant';
        seed?: number;
        json?: boolean;
        nesterov?: boolean;
        weightDecayOn?: 'all' | 'kernels';
        lrScheduleEvery?: 'batch' | 'epoch';
        bnMomentum?: number;
      }) => {
        const active = await backend();
        const progress = progressReporter(Boolean(options.json));
        const ctrlC = cancelOnCtrlC('training');
        const request = {
          model: options.model,
          data: options.data,
          epochs: options.epochs,
          out: options.out,
          format: options.format,
          ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
          ...(options.lr !== undefined && { learningRate: options.lr }),
          ...(options.optimizer && { optimizer: options.optimizer }),
          ...(options.weightDecay !== undefined && { weightDecay: options.weightDecay }),
          ...(options.lrSchedule && { lrSchedule: options.lrSchedule }),
          ...(options.seed !== undefined && { seed: options.seed }),
          ...(options.nesterov && { nesterov: true }),
          ...(options.weightDecayOn && { weightDecayOn: options.weightDecayOn }),
          ...(options.lrScheduleEvery && { lrScheduleEvery: options.lrScheduleEvery }),
          ...(options.bnMomentum !== undefined && { batchNormMomentum: options.bnMomentum }),
        };
        const outcome = await trainModel(request, { ...nodeRunHost(), backend: active, signal: ctrlC.signal, onProgress: progress.onProgress }).finally(() => {
          progress.stop();
          ctrlC.dispose();
        });
        console.log(options.json ? JSON.stringify(outcome, null, 2) : formatTraining(outcome));
        process.exitCode = outcome.cancelled ? EXIT.cancelled : EXIT.ok;
      },
    );
}
