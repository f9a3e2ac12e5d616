import type { Mutant } from './mutate.js';

/** Mutants that once broke a parser (found by the fuzzer), and the outcome each gives since its fix. */
export const REGRESSIONS: { target: string; seed: string; mutant: Mutant; expect: string }[] = [
  {
    // model.json's "input_layers" key misspelt: a TypeError (JSON.stringify(undefined).slice) instead of a named error.
    target: 'tfjs-layers',
    seed: 'tiny-tfjs',
    mutant: { file: 32, mutations: [{ op: 'flip', at: { fromEnd: true, offset: 56077799 }, bit: 1 }, { op: 'flip', at: { fromEnd: false, offset: 964781547 }, bit: 2 }] },
    expect: 'ModelFormatError',
  },
];

/**
 * Mutants that still break a parser, kept to reproduce them (run with `npm run bench:fuzz`, whose watchdog
 * survives a hang): 12 bytes inserted into keras2_sequential.h5 make h5wasm 0.10.3 never return from
 * reading the `model_config` attribute (h5py's HDF5 reports "ran off end of input buffer" instead).
 */
export const KNOWN_OPEN: { target: string; seed: string; mutant: Mutant; problem: string }[] = [
  {
    target: 'keras-h5',
    seed: 'keras2_sequential.h5',
    mutant: { file: 0, mutations: [{ op: 'insert', at: { fromEnd: true, offset: 329759017 }, bytes: [37, 180, 163, 129, 184, 91, 26, 235, 12, 61, 144, 239] }] },
    problem: 'hang in h5wasm reading a variable-length string attribute',
  },
];
