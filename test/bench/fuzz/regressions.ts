import type { Mutant } from './mutate.js';

/** Mutants that once broke a parser (found by the fuzzer), and the outcome each gives since its fix. */
export const REGRESSIONS: { target: string; seed: string; mutant: Mutant; expect: string }[] = [
  {
    // model.json's "input_layers" key misspelt: a TypeError (JSON.stringify(undefined).slice) instead of a named error.
    target: 'tfjs-layers',
    seed: 'tiny-tfjs',
    mutant: {
      file: 32,
      mutations: [
        { op: 'flip', at: { fromEnd: true, offset: 56077799 }, bit: 1 },
        { op: 'flip', at: { fromEnd: false, offset: 964781547 }, bit: 2 },
      ],
    },
    expect: 'ModelFormatError',
  },
  {
    // 12 bytes inserted into keras2_sequential.h5: h5wasm 0.10.3 never returns from reading the `model_config`
    // attribute (h5py's HDF5 says "ran off end of input buffer"). Now read in a worker thread, stopped at the deadline.
    target: 'keras-h5',
    seed: 'keras2_sequential.h5',
    mutant: {
      file: 0,
      mutations: [{ op: 'insert', at: { fromEnd: true, offset: 329759017 }, bytes: [37, 180, 163, 129, 184, 91, 26, 235, 12, 61, 144, 239] }],
    },
    expect: 'ModelFileTooComplexError',
  },
  {
    // model.json: the last layer's input renamed ("gap" -> "gAp"): TensorFlow.js retried the unresolvable call forever.
    target: 'tfjs-layers',
    seed: 'tiny-tfjs',
    mutant: { file: 26, mutations: [{ op: 'flip', at: { fromEnd: true, offset: 80488278 }, bit: 5 }] },
    expect: 'ModelFormatError',
  },
  {
    // model.json: the input layer renamed ("image" -> "iGage"), so no call reaches the rest of the graph: the same hang.
    target: 'tfjs-layers',
    seed: 'tiny-tfjs',
    mutant: { file: 28, mutations: [{ op: 'set', at: { fromEnd: false, offset: 990238585 }, value: 71 }] },
    expect: 'ModelFormatError',
  },
  {
    // baseline/model.json's weightsManifest damaged: a TypeError reading its file name (stored-model.ts) instead of a named error.
    target: 'project-json',
    seed: 'tiny.pruneflow',
    mutant: { file: 42, mutations: [{ op: 'set', at: { fromEnd: false, offset: 15004368 }, value: 177 }] },
    expect: 'ModelFormatError',
  },
  {
    // A weight file name in baseline/model.json that is not a string: a TypeError in findFile.
    target: 'project-json',
    seed: 'tiny.pruneflow',
    mutant: { file: 12, mutations: [{ op: 'remove', at: { fromEnd: true, offset: 1005310941 }, length: 191 }] },
    expect: 'ModelFormatError',
  },
  {
    // A session's weight spec with a dtype other than float32: tfjs's raw "Unsupported dtype" from decodeWeights.
    target: 'project-json',
    seed: 'tiny.pruneflow',
    mutant: { file: 5, mutations: [{ op: 'flip', at: { fromEnd: true, offset: 131487504 }, bit: 1 }] },
    expect: 'ReplayError',
  },
  {
    // A baseline layer config TensorFlow.js accepts when it loads the baseline but refuses when replay rebuilds it
    // (strides 1.5): its raw ValueError from surgery instead of a named error.
    target: 'project-json',
    seed: 'tiny.pruneflow',
    mutant: { file: 12, mutations: [{ op: 'flip', at: { fromEnd: true, offset: 367008638 }, bit: 6 }] },
    expect: 'ReplayError',
  },
  {
    // One bit of keras-nhwc.onnx flipped: a node attribute lost its name (proto3 leaves empty fields out), and the
    // importer's TypeError reading it replaced the named error. Since ONNX is read without protobufjs's generated
    // code (proto-codec.ts, session 9) the damage is found earlier, while reading the protobuf (a wire type 4).
    target: 'onnx',
    seed: 'keras-nhwc.onnx',
    mutant: { file: 42, mutations: [{ op: 'flip', at: { fromEnd: true, offset: 642517515 }, bit: 4 }] },
    expect: 'ModelFormatError',
  },
];
