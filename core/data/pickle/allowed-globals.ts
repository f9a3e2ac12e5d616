import { NumpyArray, NumpyDType, numbersOf } from './numpy-objects.js';
import { PickleGlobal, describe, textOf, type Fail, type PickleValue } from './pickle-values.js';

/**
 * The only Python names a pickle may refer to, and what "calling" each does. Nothing from the file
 * is ever executed: each entry builds plain data or an inert placeholder that BUILD fills in.
 */
type Call = (args: PickleValue[], fail: Fail) => PickleValue;

const reconstruct: Call = (args: PickleValue[], fail: Fail) => {
  const type = args[0];
  if (!(type instanceof PickleGlobal) || type.qualifiedName !== 'numpy.ndarray') {
    fail(`numpy _reconstruct builds only numpy.ndarray, not ${type instanceof PickleGlobal ? type.qualifiedName : describe(type)}`);
  }
  return new NumpyArray();
};

/** A numpy scalar (e.g. a label saved as numpy.int64): its dtype and its bytes. */
const scalar: Call = (args: PickleValue[], fail: Fail) => {
  const [dtype, bytes] = args;
  if (!(dtype instanceof NumpyDType) || !(bytes instanceof Uint8Array)) fail('numpy scalar needs a dtype and bytes');
  const [value] = numbersOf(dtype, bytes, fail);
  return value ?? fail(`numpy scalar of ${dtype.descr} has only ${bytes.length} bytes`);
};

/** Python 3 writes bytes for protocols 0-2 as `_codecs.encode(latin-1 text, 'latin1')`. */
const encode: Call = (args: PickleValue[], fail: Fail) => {
  const [text, encoding] = args;
  if (typeof text !== 'string' || !/^latin[-_]?1$/i.test(textOf(encoding) ?? '')) {
    fail(`_codecs.encode is allowed only on text in Latin-1 (found ${describe(text)}, ${textOf(encoding)})`);
  }
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 255) fail(`_codecs.encode: character ${code} at position ${i} is not Latin-1`);
    bytes[i] = code;
  }
  return bytes;
};

const emptyBytes: Call = (args, fail) => (args.length === 0 ? new Uint8Array(0) : fail('bytes() is allowed only empty'));

/** Sets come back as lists: they only ever hold plain values here. */
const set: Call = (args) => (Array.isArray(args[0]) ? [...args[0]] : []);

const CALLS = new Map<string, Call>(
  Object.entries({
    'numpy.core.multiarray._reconstruct': reconstruct,
    'numpy._core.multiarray._reconstruct': reconstruct,
    'numpy.core.multiarray.scalar': scalar,
    'numpy._core.multiarray.scalar': scalar,
    'numpy.dtype': (args, fail) => new NumpyDType(textOf(args[0]) ?? fail(`numpy.dtype needs a type code, found ${describe(args[0])}`)),
    '_codecs.encode': encode,
    '__builtin__.bytes': emptyBytes,
    'builtins.bytes': emptyBytes,
    '__builtin__.set': set,
    'builtins.set': set,
    '__builtin__.frozenset': set,
    'builtins.frozenset': set,
  }),
);

/** Names that may appear as arguments (numpy.ndarray for _reconstruct) but are not called. */
const TYPES = new Set(['numpy.ndarray']);

export function resolveGlobal(module: string, name: string, fail: Fail): PickleGlobal {
  const global = new PickleGlobal(module, name);
  if (!CALLS.has(global.qualifiedName) && !TYPES.has(global.qualifiedName)) {
    fail(`refers to '${global.qualifiedName}', which Pruneflow does not load (only numpy arrays and plain data)`);
  }
  return global;
}

export function callGlobal(callable: PickleValue, args: PickleValue, fail: Fail): PickleValue {
  if (!(callable instanceof PickleGlobal)) fail(`cannot call a ${describe(callable)}`);
  const call = CALLS.get(callable.qualifiedName) ?? fail(`'${callable.qualifiedName}' cannot be called`);
  if (!Array.isArray(args)) fail(`arguments to '${callable.qualifiedName}' must be a tuple, found ${describe(args)}`);
  return call(args, fail);
}
