/**
 * Does a data set fit a model? The same check on the Model screen (from the data preview and the model
 * report) and at the start of a run (a named error before any work): image size, channels and classes,
 * each mismatch with the fix Pruneflow can apply (resize, channel conversion) or why it cannot run.
 * Plain data and words only: imported by the engine and the UI.
 */

/** What a model takes and predicts; null where the model accepts any size. */
export interface ModelInput {
  height: number | null;
  width: number | null;
  channels: number | null;
  classes: number | null;
}

export interface DataShape {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

export interface FitProblem {
  what: 'size' | 'channels' | 'classes';
  /** What is wrong, in plain words. */
  problem: string;
  /** What `fitInput` does about it; absent where nothing can (then `reason` says why). */
  fix?: string;
  reason?: string;
}

export interface InputFit {
  problems: FitProblem[];
  /** Every problem has a fix that `PruneConfig.fitInput` applies. */
  fixable: boolean;
  /** The image shape a run gives the model (the data's, or the model's where `fitInput` converts them). */
  target: { height: number; width: number; channels: number };
}

const channelWords = (n: number) => (n === 1 ? 'grayscale (1 channel)' : n === 3 ? 'colour (3 channels)' : `${n} channels`);

export function checkInputFit(model: ModelInput, data: DataShape): InputFit {
  const problems: FitProblem[] = [];
  const height = model.height ?? data.height;
  const width = model.width ?? data.width;
  const channels = model.channels ?? data.channels;
  if (height !== data.height || width !== data.width) {
    problems.push({
      what: 'size',
      problem: `The model takes ${height}×${width} images; yours are ${data.height}×${data.width}.`,
      fix: `Resize the images to ${height}×${width} (averaging pixels when shrinking, interpolating when enlarging).`,
    });
  }
  if (channels !== data.channels) {
    const convertible = (channels === 1 && data.channels === 3) || (channels === 3 && data.channels === 1);
    problems.push({
      what: 'channels',
      problem: `The model takes ${channelWords(channels)} images; yours are ${channelWords(data.channels)}.`,
      ...(convertible
        ? { fix: channels === 1 ? 'Convert the images to grayscale.' : 'Copy the gray channel into red, green and blue.' }
        : { reason: 'Pruneflow converts only between grayscale and colour (1 and 3 channels).' }),
    });
  }
  if (model.classes !== null && model.classes !== data.classes) {
    problems.push({
      what: 'classes',
      problem: `The model predicts ${model.classes} classes; the data set has ${data.classes}.`,
      reason:
        `A pruned model keeps its classifier, so it needs images of its own ${model.classes} classes: ` +
        `choose the data set it was trained on, or a model trained on these ${data.classes} classes.`,
    });
  }
  return { problems, fixable: problems.every((p) => p.fix !== undefined), target: { height, width, channels } };
}

/** One paragraph for an error message: each problem, then what to do. */
export function describeInputFit(fit: InputFit): string {
  const problems = fit.problems.map((p) => p.problem).join(' ');
  if (fit.fixable) {
    const fixes = fit.problems.map((p) => p.fix).join(' ');
    return (
      `${problems} What to do: let Pruneflow fit the images to the model (the Model ` +
      `screen's "Fit my images to the model", or --fit-input on the command line): ${fixes}`
    );
  }
  return `${problems} What to do: ${fit.problems.flatMap((p) => (p.reason ? [p.reason] : [])).join(' ')}`;
}
