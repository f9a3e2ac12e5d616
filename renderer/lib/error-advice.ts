/** What a person can do next about an engine error, by its name: the message says what went wrong, this says what to try. */
import type { SerializedError } from '../../core/api/contract.js';

/** Keyed by error class name; a test checks that every name is one the engine or a host can raise. */
export const ADVICE: Record<string, string> = {
  DatasetNotFoundError: 'Check the path (it is read on the machine that runs the engine), or browse to the file or folder.',
  FolderNotFoundError: 'Check the path, or go up to a folder that exists.',
  DatasetNotRecognisedError: 'Choose a CIFAR-10/100 file or archive, SVHN .mat, MNIST-style IDX files, or a folder with one sub-folder of images per class.',
  DatasetFormatError: 'The file looks damaged or cut short: download it again, or choose another copy. The built-in sample always works.',
  DatasetMismatchError: 'The files do not belong together: put the images and labels of one data set in one folder.',
  ModelNotFoundError: "Check the model file's path (it is read on the machine that runs the engine), browse to it, or pick a built-in model.",
  ExportExistsError: 'Choose another export folder, or agree to replace the model that is there.',
  ModelNotRecognisedError: 'Choose a TensorFlow.js model.json, a Keras .h5 or .keras file, an ONNX .onnx file, or a built-in model.',
  ModelFormatError: 'The model file looks damaged: export it again, or pick a built-in model.',
  UnknownModelError: 'Pick one of the built-in models from the list, or give the path of a model file.',
  InputMismatchError:
    'The model and the images do not fit together: on the Model screen, let Pruneflow fit the images to the ' +
    'model where it can, or pick the data set the model was trained on (a built-in model is built to fit).',
  NotAProjectError: 'Open a .pruneflow file that Pruneflow saved, or start a new project (File > New) and save it.',
  ProjectTruncatedError: 'The project file was cut short: copy or download it again from where it came.',
  ProjectTamperedError: 'The project file was changed after Pruneflow saved it: use an untouched copy.',
  ProjectVersionError: 'Update Pruneflow to open this project.',
  ProjectNotFoundError: 'Check the path, or open the project from the recent list or with Browse.',
  BudgetError: 'Ask for a smaller cut, lower the protected share, or use a global ranking.',
  CalibrationRequiredError: 'This criterion needs images: choose a data set, or a criterion that reads weights only.',
  TaskBusyError: 'Wait for the running task to finish, or cancel it on the Run screen.',
  EngineDisconnectedError: 'The engine stopped. Start it again (`pruneflow serve`, or reopen the app), then reload this page.',
  EngineCrashedError: 'The engine stopped and starts afresh with the next task: run the session again. Your choices are kept.',
  BackendUnavailableError: 'Choose another backend in the settings, or leave the choice to Pruneflow.',
  HostCapabilityError: 'This window cannot read files: use the built-in sample and models, or run Pruneflow as the desktop app or with `pruneflow serve`.',
  UnsupportedLayerError: 'The model has a layer Pruneflow cannot prune yet: the pre-flight report on the Model screen lists which.',
  TrainingSettingsError: 'Go back to the Training step of the wizard and correct the setting it names.',
  ScheduleError: 'Go back to the Schedule step of the wizard and correct the setting it names.',
  InvalidCallError: 'A setting is out of range: go back through the wizard and correct the one the message names.',
};

export function adviceFor(error: SerializedError): string | undefined {
  return ADVICE[error.name];
}
