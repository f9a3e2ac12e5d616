import { describe, expect, it } from 'vitest';
import { validateCall } from '../../../core/api/validate-call.js';

// Each case is one IPC message as a renderer might send it, and what the main process must do with it.
const VALID: unknown[] = [
  { method: 'getInfo', args: [] },
  { method: 'startDemo', args: [{}] },
  { method: 'startDemo', args: [{ flopsReduction: 0.5, trainEpochs: 4, fineTuneEpochs: 0, seed: 7 }] },
  { method: 'startDemo', args: [{ trainEpochs: 0, fineTuneEpochs: 0 }] },
  { method: 'cancelTask', args: ['task-1'] },
  { method: 'startPruning', args: [{ model: 'demo-cnn', data: 'builtin:fashion-mnist', sample: { train: 300, test: 100 } }] },
  {
    method: 'startPruning',
    args: [{ model: 'demo-cnn', data: 'builtin:fashion-mnist', ranking: 'sensitivity', sensitivityRatios: [0.2, 0.6], sensitivityImages: 300 }],
  },
  { method: 'startSensitivity', args: [{ model: 'resnet20', data: '/data/cifar', criterion: 'fpgm', sensitivityRatios: [0.5] }] },
  { method: 'pauseTask', args: ['task-1'] },
  { method: 'resumeTask', args: ['task-1'] },
  { method: 'resumeSession', args: ['/projects/cifar.pruneflow'] },
  { method: 'resumeSession', args: ['/projects/cifar.pruneflow', 's2'] },
  { method: 'resumeSession', args: ['/projects/cifar.pruneflow', null] },
  { method: 'planSweep', args: [{ project: '/p/a.pruneflow', axes: { criteria: ['l1', 'fpgm'], seeds: [1, 2] }, fixed: { fineTuneEpochs: 0 } }] },
  { method: 'startSweep', args: [{ project: '/p/a.pruneflow', axes: { seeds: [1] } }, { workers: 2 }] },
  { method: 'startSweep', args: [{ project: '/p/a.pruneflow', axes: {} }, { queue: 'redis://127.0.0.1:6379' }] },
  { method: 'cancelSweep', args: ['sweep-0a1b2c3d4e'] },
  { method: 'runningSweeps', args: [] },
  {
    method: 'startSweep',
    args: [{ project: '/p/a.pruneflow', axes: { schedules: ['one-shot', 'iterative'] }, earlyStop: { margin: 0.05 } }, { workers: 'gpu' }],
  },
  {
    method: 'startPruning',
    args: [
      {
        model: 'demo-cnn',
        data: 'builtin:fashion-mnist',
        optimizer: 'sgd',
        weightDecay: 5e-4,
        lrSchedule: 'step',
        nesterov: true,
        weightDecayOn: 'all',
        lrScheduleEvery: 'epoch',
        fineTuneLearningRate: 0.01,
        batchNormMomentum: 0.9,
        distillation: { weight: 0.5, temperature: 4 },
        earlyStopping: { patience: 3 },
        validationShare: 0.2,
        checkpointDir: '/tmp/checkpoints',
      },
    ],
  },
  { method: 'startPruning', args: [{ model: 'demo-cnn', data: 'builtin:fashion-mnist', distillation: { weight: 0, temperature: 1 }, lrSchedule: 'constant' }] },
  { method: 'importanceFlow', args: [{ model: 'resnet110' }] },
  { method: 'sessionFlow', args: [{ project: '/work/a.pruneflow', session: 's2' }] },
  { method: 'sessionFlow', args: [{ task: 'task-3' }] },
  { method: 'openProject', args: ['/work/a.pruneflow'] },
  { method: 'compareSessions', args: [[{ path: '/work/a.pruneflow', session: 's2' }, { path: '/work/b.pruneflow' }]] },
  { method: 'exportSession', args: ['/work/a.pruneflow', 's1', 'keras-h5', '/work/out'] },
  { method: 'exportSession', args: ['/work/a.pruneflow', 's1', 'onnx', '/work/out'] },
  { method: 'exportSession', args: ['/work/a.pruneflow', 's1', 'onnx', '/work/out', { foldBatchNorm: true }] },
  { method: 'writeReport', args: ['/work/a.pruneflow', [], 'html', '/work/report.html'] },
  { method: 'writeReport', args: ['/work/a.pruneflow', ['s1', 'cip at 50%'], 'csv', 'report.csv'] },
  { method: 'listFolder', args: [''] },
  { method: 'listFolder', args: ['/home/someone/data'] },
  { method: 'estimateCut', args: [{ model: 'resnet20', metric: 'flops' }] },
  { method: 'estimateCut', args: [{ model: 'resnet20', metric: 'flops', quickTrial: true }] },
  { method: 'estimateCut', args: [{ model: 'demo-cnn', metric: 'params', input: { height: 28, width: 28, channels: 1, classes: 10 } }] },
  {
    method: 'importanceFlow',
    args: [{ model: 'resnet20', data: 'builtin:fashion-mnist', criterion: 'cip', target: { metric: 'params', reduction: 0.3 }, steps: 4 }],
  },
];

const pruning = (extra: object) => ({ method: 'startPruning', args: [{ model: 'demo-cnn', data: 'builtin:fashion-mnist', ...extra }] });

const INVALID: { message: unknown; error: RegExp }[] = [
  { message: undefined, error: /expected an object, but got undefined/ },
  { message: 'getInfo', error: /expected an object/ },
  { message: [], error: /expected an object, but got an array/ },
  { message: { method: 'runShell', args: [] }, error: /unknown method "runShell"/ },
  { message: { method: 'onEvent', args: [] }, error: /unknown method "onEvent"/ },
  { message: { method: 'toString', args: [] }, error: /unknown method "toString"/ },
  { message: { method: '__proto__', args: [] }, error: /unknown method/ },
  { message: { method: 42, args: [] }, error: /unknown method 42/ },
  { message: { method: 'getInfo' }, error: /'getInfo': args must be an array/ },
  { message: { method: 'getInfo', args: [1] }, error: /'getInfo': expected 0 arguments, but got 1/ },
  { message: { method: 'startDemo', args: [] }, error: /expected 1 argument, but got 0/ },
  { message: { method: 'startDemo', args: [null] }, error: /options must be an object, but got null/ },
  { message: { method: 'startDemo', args: [{ epochs: 3 }] }, error: /unknown option "epochs"/ },
  { message: { method: 'startDemo', args: [{ flopsReduction: 1 }] }, error: /options.flopsReduction must be a number between 0 and 1/ },
  { message: { method: 'startDemo', args: [{ flopsReduction: Number.NaN }] }, error: /flopsReduction/ },
  { message: { method: 'startDemo', args: [{ flopsReduction: '0.5' }] }, error: /but got "0.5"/ },
  { message: { method: 'startDemo', args: [{ trainEpochs: 2.5 }] }, error: /trainEpochs must be an integer from 0 to 100, but got 2.5/ },
  { message: { method: 'startDemo', args: [{ trainEpochs: -1 }] }, error: /trainEpochs/ },
  { message: { method: 'startDemo', args: [{ fineTuneEpochs: 1e9 }] }, error: /fineTuneEpochs/ },
  { message: { method: 'startDemo', args: [{ seed: -1 }] }, error: /seed/ },
  { message: { method: 'startPruning', args: [{ model: 'm', data: 'd', sample: { train: 5, test: 100 } }] }, error: /config.sample must be/ },
  { message: { method: 'startPruning', args: [{ model: 'm', data: 'd', sample: { train: 50 } }] }, error: /config.sample must be/ },
  { message: { method: 'importanceFlow', args: [{}] }, error: /'importanceFlow': request.model is required/ },
  { message: { method: 'sessionFlow', args: [{ project: '/work/a.pruneflow' }] }, error: /'sessionFlow': request.session is required/ },
  { message: { method: 'sessionFlow', args: [{ task: 'task-1', project: '/a' }] }, error: /unknown option "project"/ },
  { message: { method: 'importanceFlow', args: [{ model: 'resnet20', steps: 0 }] }, error: /request.steps must be an integer from 1 to 20, but got 0/ },
  { message: { method: 'importanceFlow', args: [{ model: 'resnet20', bands: 4 }] }, error: /unknown option "bands"/ },
  {
    message: { method: 'startPruning', args: [{ model: 'm', data: 'd', ranking: 'best' }] },
    error: /config.ranking must be one of global, uniform, sensitivity/,
  },
  { message: { method: 'startSensitivity', args: [{ model: 'm' }] }, error: /config.data is required/ },
  {
    message: { method: 'startSensitivity', args: [{ model: 'm', data: 'd', sensitivityRatios: [0.5, 0.25] }] },
    error: /sensitivityRatios must be ascending shares/,
  },
  { message: { method: 'startSensitivity', args: [{ model: 'm', data: 'd', sensitivityRatios: [] }] }, error: /sensitivityRatios/ },
  { message: { method: 'startSensitivity', args: [{ model: 'm', data: 'd', sensitivityImages: 0 }] }, error: /sensitivityImages must be an integer from 1/ },
  { message: { method: 'listFolder', args: [] }, error: /'listFolder': expected 1 argument, but got 0/ },
  { message: { method: 'listFolder', args: ['/tmp\0x'] }, error: /'listFolder': path must be a non-empty string/ },
  { message: { method: 'estimateCut', args: [{ model: 'resnet20' }] }, error: /'estimateCut': request.metric is required/ },
  { message: { method: 'estimateCut', args: [{ model: 'resnet20', metric: 'latency' }] }, error: /request.metric must be one of flops, params/ },
  { message: { method: 'estimateCut', args: [{ model: 'resnet20', metric: 'flops', quickTrial: 'yes' }] }, error: /request.quickTrial must be true or false/ },
  {
    message: { method: 'estimateCut', args: [{ model: 'resnet20', metric: 'flops', input: { height: 0, width: 28, channels: 1, classes: 10 } }] },
    error: /request.input must be/,
  },
  { message: { method: 'cancelTask', args: [7] }, error: /taskId must be a non-empty string/ },
  { message: { method: 'cancelTask', args: [''] }, error: /taskId/ },
  { message: { method: 'cancelTask', args: ['x'.repeat(65)] }, error: /at most 64 characters, but got "x{40}\.\.\."/ },
  { message: { method: 'pauseTask', args: [] }, error: /'pauseTask': expected 1 argument, but got 0/ },
  { message: { method: 'resumeTask', args: [{}] }, error: /'resumeTask': taskId must be a non-empty string/ },
  { message: { method: 'openProject', args: [''] }, error: /'openProject': path must be a non-empty string/ },
  { message: { method: 'compareSessions', args: [[]] }, error: /refs must be an array of 1 to 1000 session references/ },
  { message: { method: 'compareSessions', args: [[{ session: 's1' }]] }, error: /refs\[0\].path is required/ },
  { message: { method: 'compareSessions', args: [[{ path: 'a.pruneflow', id: 's1' }]] }, error: /unknown option "id"/ },
  {
    message: { method: 'exportSession', args: ['a.pruneflow', 's1', 'pytorch', 'out'] },
    error: /format must be one of tfjs, keras-h5, keras, onnx, tflite, but got "pytorch"/,
  },
  { message: { method: 'exportSession', args: ['a.pruneflow', '', 'tfjs', 'out'] }, error: /sessionId must be a session id or name/ },
  { message: { method: 'writeReport', args: ['a.pruneflow', 's1', 'html', 'r.html'] }, error: /sessionIds must be an array/ },
  { message: { method: 'writeReport', args: ['a.pruneflow', [], 'pdf', 'r.pdf'] }, error: /format must be one of html, md, csv/ },
  { message: { method: 'writeReport', args: ['a.pruneflow', [], 'html'] }, error: /expected 4 arguments, but got 3/ },
  {
    message: { method: 'planSweep', args: [{ project: '/p/a.pruneflow', axes: { seeds: [1, 1] } }] },
    error: /'planSweep': spec: axes.seeds: values must differ/,
  },
  { message: { method: 'planSweep', args: [{ project: '/p/a.pruneflow', axes: {}, fixed: { model: 'x' } }] }, error: /fixed.model is set by the sweep itself/ },
  { message: { method: 'startSweep', args: [{ project: '/p/a.pruneflow', axes: {} }, { queue: 'http://x' }] }, error: /options.queue must be a redis:\/\// },
  {
    message: { method: 'startSweep', args: [{ project: '/p/a.pruneflow', axes: {} }, { workers: 0 }] },
    error: /options.workers must be an integer from 1 to 256/,
  },
  { message: { method: 'cancelSweep', args: [] }, error: /'cancelSweep': expected 1 argument/ },
  { message: { method: 'runningSweeps', args: ['sweep-0a1b2c3d4e'] }, error: /'runningSweeps': expected 0 arguments/ },
  {
    message: { method: 'startSweep', args: [{ project: '/p/a.pruneflow', axes: {} }, { workers: 'tpu' }] },
    error: /workers must be an integer from 1 to 256, or 'gpu'/,
  },
  { message: { method: 'resumeSession', args: [] }, error: /'resumeSession': expected 1 or 2 arguments, but got 0/ },
  { message: { method: 'resumeSession', args: ['', 's1'] }, error: /'resumeSession': path must be a non-empty string/ },
  { message: { method: 'resumeSession', args: ['a.pruneflow', '../s1'] }, error: /sessionId must be 1-64 letters, digits, '-' or '_', but got "..\/s1"/ },
  { message: pruning({ optimizer: 'rmsprop' }), error: /config.optimizer must be one of adam, sgd, but got "rmsprop"/ },
  { message: pruning({ weightDecay: -1 }), error: /config.weightDecay must be a number from 0 to 1/ },
  { message: pruning({ lrSchedule: 'linear' }), error: /config.lrSchedule must be one of cosine, step, constant/ },
  { message: pruning({ groupNormalisation: 'median' }), error: /config.groupNormalisation must be one of mean, max, sum, lamp, none/ },
  { message: pruning({ nesterov: 'yes' }), error: /config.nesterov must be true or false/ },
  { message: pruning({ weightDecayOn: 'biases' }), error: /config.weightDecayOn must be one of all, kernels/ },
  { message: pruning({ lrScheduleEvery: 'step' }), error: /config.lrScheduleEvery must be one of batch, epoch/ },
  { message: pruning({ fineTuneLearningRate: 0 }), error: /config.fineTuneLearningRate must be a number above 0/ },
  { message: pruning({ batchNormMomentum: 1 }), error: /config.batchNormMomentum must be a number from 0 to below 1/ },
  {
    message: pruning({ distillation: { weight: 1.5, temperature: 4 } }),
    error: /config.distillation must be \{ weight: 0..1.*\(config.distillation.weight is 1.5\)/,
  },
  { message: pruning({ distillation: { weight: 0.5 } }), error: /config.distillation must be.*\(config.distillation.temperature is missing\)/ },
  { message: pruning({ criterion: 'cip', cip: { alpha: 2 } }), error: /config.cip must be \{ alpha\?: 0..1.*\(config.cip.alpha is 2\)/ },
  { message: pruning({ criterion: 'cip', cip: { gamma: 1 } }), error: /config.cip must be .*\(unknown field "gamma"\)/ },
  { message: pruning({ distillation: { weight: 0.5, temperature: 0 } }), error: /config.distillation must be/ },
  { message: pruning({ distillation: { weight: 0.5, temperature: 4, teacher: 'x' } }), error: /config.distillation must be/ },
  { message: pruning({ earlyStopping: { patience: 0 } }), error: /config.earlyStopping must be \{ patience: 1..100 \}, but got an object/ },
  { message: pruning({ earlyStopping: 3 }), error: /config.earlyStopping must be/ },
  { message: pruning({ validationShare: 0.9 }), error: /config.validationShare must be a number above 0, at most 0.5/ },
  { message: pruning({ checkpointDir: '' }), error: /config.checkpointDir must be a path/ },
];

describe('validateCall', () => {
  it.each(VALID)('accepts %j', (message) => {
    expect(validateCall(message)).toEqual(message);
  });

  it.each(INVALID)('refuses $message', ({ message, error }) => {
    expect(() => validateCall(message)).toThrow(error);
    try {
      validateCall(message);
    } catch (thrown) {
      expect((thrown as Error).name).toBe('InvalidCallError');
    }
  });

  it('refuses objects that are not plain data', () => {
    class Options {
      seed = 1;
    }
    expect(() => validateCall({ method: 'startDemo', args: [new Options()] })).toThrow(/options must be an object/);
  });
});
