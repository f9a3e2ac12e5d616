import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { gunzipSync } from 'fflate';
import jpeg from 'jpeg-js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { gunzipChecked, readTar, openArchiveTree } from '../../../core/data/archive/index.js';
import { openZip } from '../../../core/data/archive/zip.js';
import { memoryTree } from '../../../core/data/file-tree.js';
import { openDataset } from '../../../core/data/formats/index.js';
import { CIFAR10_CLASSES } from '../../../core/data/formats/cifar-common.js';
import { parseIdx } from '../../../core/data/idx-format.js';
import { decodeImage } from '../../../core/data/image-decode.js';
import { readMatFile } from '../../../core/data/matlab/mat-file.js';
import { unpickle } from '../../../core/data/pickle/unpickle.js';
import { exportTfjs } from '../../../core/models/io/export-tfjs.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { parseProject, serializeProject } from '../../../core/project/project-codec.js';
import type { Project } from '../../../core/project/project.js';
import { loadSessionWeights, replayHistory } from '../../../core/project/replay.js';
import { openStoredModel } from '../../../core/project/stored-model.js';
import { oneShot } from '../../../core/prune/schedules/one-shot.js';
import { projectOf, runRecorded, sessionOf, tinyModel, weightContext } from '../../core/project/project-fixture.js';
import { ROOT } from '../../build/run.js';
import { sha256Hex } from '../../../core/project/sha256.js';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { Mutant } from './mutate.js';

/** A valid input: one or more files (a data set folder, a model and its weights). */
export interface Seed {
  label: string;
  files: [string, Uint8Array][];
}

/** One parser that reads user files: its seeds and how a (mutated) input is read and used. */
export interface FuzzTarget {
  id: string;
  seeds(): Promise<Seed[]>;
  /** Makes the mutant's files, when not by byte mutations of one seed file (the default). */
  mutate?(seed: Seed, mutant: Mutant): Promise<[string, Uint8Array][]>;
  /** Reads the files as the app would, and touches what it returns; throws what the parser throws. */
  read(files: [string, Uint8Array][], label: string): Promise<void>;
}

const fixture = (...path: string[]) => new Uint8Array(readFileSync(join(ROOT, 'test', 'fixtures', ...path)));
const asset = (name: string) => new Uint8Array(readFileSync(join(ROOT, 'core', 'assets', 'fashion-mnist-sample', name)));
const tree = (label: string, files: [string, Uint8Array][]) => memoryTree(label, new Map(files));

async function readDataset(files: [string, Uint8Array][], label: string): Promise<void> {
  const loaded = await openDataset(tree(label, files));
  for (const [name, split] of Object.entries(loaded.splits)) {
    // A data set read without an error must be whole: a damaged file may not pass as a smaller one.
    const { count, height, width, channels, images, labels, classNames } = split;
    if (images.length !== count * height * width * channels || labels.length < count)
      throw new Error(`${name}: ${count} images of ${height}x${width}x${channels} in ${images.length} bytes`);
    if (labels.subarray(0, count).some((l) => l >= classNames.length)) throw new Error(`${name}: a label beyond the ${classNames.length} classes`);
    // Every image and label is read once, as training would.
    let sum = 0;
    for (let i = 0; i < split.images.length; i += 97) sum += split.images[i];
    for (let i = 0; i < split.count; i++) sum += split.labels[i];
    if (!Number.isFinite(sum)) throw new Error('unreachable');
  }
}

async function readModel(files: [string, Uint8Array][], label: string): Promise<void> {
  const { model } = await importModel(tree(label, files));
  model.dispose();
}

/** CIFAR-10 binary records (label byte + 3072 planar pixels), as the official archive has them. */
function cifarBinary(records: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(records * 3073);
  for (let r = 0; r < records; r++) {
    bytes[r * 3073] = (r + seed) % 10;
    for (let p = 1; p < 3073; p++) bytes[r * 3073 + p] = (p * 7 + r * 13 + seed) & 0xff;
  }
  return bytes;
}

/** An IDX file of the first `count` items of another (the header's first dimension rewritten). */
function idxPrefix(idx: Uint8Array, count: number): Uint8Array {
  const rank = idx[3];
  const view = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
  let item = 1;
  for (let d = 1; d < rank; d++) item *= view.getUint32(4 + 4 * d, false);
  const out = idx.slice(0, 4 + 4 * rank + count * item);
  new DataView(out.buffer).setUint32(4, count, false);
  return out;
}

function pngSeeds(): Seed[] {
  const image = (width: number, height: number, channels: number, depth: 8 | 16 | 1, palette?: [number, number, number][]) => {
    const n = width * height * channels;
    const data = depth === 16 ? new Uint16Array(n) : new Uint8Array(depth === 1 ? Math.ceil((width * channels) / 8) * height : n);
    for (let i = 0; i < data.length; i++) data[i] = palette ? i % palette.length : (i * 37) % (depth === 16 ? 65536 : 256);
    return encodePng({ width, height, channels, depth, data, ...(palette && { palette }) });
  };
  return [
    { label: 'rgb.png', files: [['rgb.png', image(7, 5, 3, 8)]] },
    { label: 'grey16.png', files: [['grey16.png', image(6, 4, 1, 16)]] },
    { label: 'rgba.png', files: [['rgba.png', image(5, 5, 4, 8)]] },
    { label: 'grey1.png', files: [['grey1.png', image(9, 3, 1, 1)]] },
    {
      label: 'palette.png',
      files: [
        [
          'palette.png',
          image(4, 4, 1, 8, [
            [255, 0, 0],
            [0, 255, 0],
            [0, 0, 255],
          ]),
        ],
      ],
    },
  ];
}

function jpegSeeds(): Seed[] {
  const image = (width: number, height: number, grey: boolean, quality: number) => {
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      const v = (i * 29) & 0xff;
      data.set(grey ? [v, v, v, 255] : [v, (i * 7) & 0xff, 255 - v, 255], i * 4);
    }
    return new Uint8Array(jpeg.encode({ width, height, data }, quality).data);
  };
  return [
    { label: 'colour.jpg', files: [['colour.jpg', image(16, 12, false, 80)]] },
    { label: 'grey.jpg', files: [['grey.jpg', image(9, 9, true, 50)]] },
  ];
}

async function tfjsSeed(): Promise<Seed> {
  const model = tinyModel(3);
  const files = await exportTfjs(model);
  model.dispose();
  return { label: 'tiny-tfjs', files: files.map((f) => [f.name, f.bytes]) };
}

async function projectSeed(): Promise<Seed> {
  const baseline = tinyModel();
  const { pruned, history } = await runRecorded(oneShot, baseline, weightContext());
  const project = await projectOf(baseline, [await sessionOf('s1', baseline, pruned, history)]);
  baseline.dispose();
  pruned.dispose();
  return { label: 'tiny.pruneflow', files: [['tiny.pruneflow', await serializeProject(project)]] };
}

/** What opening a project and then one of its sessions does: parse, rebuild the baseline, replay each history. */
export async function useProject(project: Project): Promise<void> {
  const baseline = await openStoredModel(project.baseline);
  try {
    for (const { record, weights } of project.sessions) {
      const model = await replayHistory(baseline, record.history);
      try {
        loadSessionWeights(model, record.weightSpecs, weights);
      } finally {
        model.dispose();
      }
    }
  } finally {
    baseline.dispose();
  }
}

const single = (read: (bytes: Uint8Array, label: string) => unknown | Promise<unknown>) => async (files: [string, Uint8Array][], label: string) => {
  await read(files[0][1], label);
};

export const FUZZ_TARGETS: FuzzTarget[] = [
  {
    id: 'cifar-binary',
    seeds: async () => [
      {
        label: 'cifar-10-batches-bin',
        files: [
          ['data_batch_1.bin', cifarBinary(6, 1)],
          ['test_batch.bin', cifarBinary(4, 2)],
          ['batches.meta.txt', new TextEncoder().encode(`${CIFAR10_CLASSES.join('\n')}\n`)],
        ],
      },
    ],
    read: readDataset,
  },
  {
    id: 'cifar-python',
    seeds: async () =>
      ['cifar-10-batches-py', 'cifar-100-python'].map((dir) => ({
        label: dir,
        files: readdirSync(join(ROOT, 'test', 'fixtures', 'cifar', dir)).map((name): [string, Uint8Array] => [name, fixture('cifar', dir, name)]),
      })),
    read: readDataset,
  },
  {
    id: 'pickle',
    seeds: async () =>
      readdirSync(join(ROOT, 'test', 'fixtures', 'cifar', 'pickles'))
        .filter((name) => name !== 'evil.pkl') // refused by design: no valid seed
        .map((name) => ({ label: name, files: [[name, fixture('cifar', 'pickles', name)]] })),
    read: single((bytes, label) => unpickle(bytes, label)),
  },
  {
    id: 'svhn-mat',
    seeds: async () => ['train_32x32.mat', 'test_32x32.mat', 'extra_32x32.mat'].map((name) => ({ label: name, files: [[name, fixture('svhn', name)]] })),
    read: readDataset,
  },
  {
    id: 'mat',
    seeds: async () => ['train_32x32.mat', 'test_32x32.mat'].map((name) => ({ label: name, files: [[name, fixture('svhn', name)]] })),
    read: single((bytes, label) => readMatFile(bytes, label)),
  },
  {
    id: 'idx',
    seeds: async () => {
      const images = gunzipSync(asset('t10k-images-idx3-ubyte.gz'));
      const labels = gunzipSync(asset('t10k-labels-idx1-ubyte.gz'));
      return [
        {
          label: 'raw',
          files: [
            ['t10k-images-idx3-ubyte', idxPrefix(images, 12)],
            ['t10k-labels-idx1-ubyte', idxPrefix(labels, 12)],
          ],
        },
        { label: 'labels.gz', files: [['t10k-labels-idx1-ubyte.gz', asset('t10k-labels-idx1-ubyte.gz')]] },
      ];
    },
    read: async (files, label) => {
      if (files.length === 1) parseIdx(files[0][1], label);
      else await readDataset(files, label);
    },
  },
  {
    id: 'gzip',
    seeds: async () => [
      { label: 'labels.gz', files: [['labels.gz', asset('t10k-labels-idx1-ubyte.gz')]] },
      { label: 'formats.tar.gz', files: [['formats.tar.gz', fixture('cifar', 'archives', 'formats.tar.gz')]] },
    ],
    read: single((bytes, label) => gunzipChecked(bytes, label)),
  },
  {
    id: 'tar',
    seeds: async () => [{ label: 'formats.tar', files: [['formats.tar', gunzipSync(fixture('cifar', 'archives', 'formats.tar.gz'))]] }],
    read: single(async (bytes, label) => {
      readTar(bytes, label);
      const archive = openArchiveTree(label, bytes);
      for (const { path } of await archive.list()) await archive.read(path);
    }),
  },
  {
    id: 'zip',
    seeds: async () => [
      { label: 'keras3_functional.keras', files: [['keras3_functional.keras', fixture('models', 'keras3_functional.keras')]] },
      { label: 'version-1.pruneflow', files: [['version-1.pruneflow', fixture('projects', 'version-1.pruneflow')]] },
    ],
    read: single((bytes, label) => {
      const zip = openZip(bytes, label);
      for (const { name } of zip.entries) zip.read(name);
    }),
  },
  {
    id: 'keras-h5',
    seeds: async () => ['keras2_sequential.h5', 'keras2_functional.h5'].map((name) => ({ label: name, files: [[name, fixture('models', name)]] })),
    read: readModel,
  },
  {
    id: 'keras',
    seeds: async () => [{ label: 'keras3_functional.keras', files: [['keras3_functional.keras', fixture('models', 'keras3_functional.keras')]] }],
    read: readModel,
  },
  { id: 'tfjs-layers', seeds: async () => [await tfjsSeed()], read: readModel },
  { id: 'tfjs-json', seeds: async () => [await tfjsSeed()], mutate: modelJsonMutant, read: readModel },
  {
    id: 'onnx',
    // torch.onnx.export's files (make_onnx_fixtures.py): a channel shuffle, SE with SiLU, an NHWC graph from Keras, and one
    // with its weights in an external-data file beside it (either file mutated).
    seeds: async () => [
      ...['shuffle-unit.onnx', 'se-silu.onnx', 'keras-nhwc.onnx'].map((name): Seed => ({ label: name, files: [[name, fixture('onnx', name)]] })),
      {
        label: 'shuffle-unit-dynamo.onnx',
        files: ['shuffle-unit-dynamo.onnx', 'shuffle-unit-dynamo.onnx.data'].map((name): [string, Uint8Array] => [name, fixture('onnx', 'dynamo', name)]),
      },
    ],
    read: readModel,
  },
  { id: 'png', seeds: async () => pngSeeds(), read: single((bytes, label) => decodeImage(bytes, label)) },
  { id: 'jpeg', seeds: async () => jpegSeeds(), read: single((bytes, label) => decodeImage(bytes, label)) },
  {
    id: 'project',
    seeds: async () => [{ label: 'version-1.pruneflow', files: [['version-1.pruneflow', fixture('projects', 'version-1.pruneflow')]] }, await projectSeed()],
    read: single(async (bytes, label) => useProject(await parseProject(bytes, label))),
  },
  {
    id: 'project-json',
    seeds: async () => [await projectSeed()],
    mutate: jsonMutant,
    read: single(async (bytes, label) => useProject(await parseProject(bytes, label))),
  },
];

/** Values of the wrong type (or out of range) for any field of a project's JSON. */
const WRONG = [null, 'x', '', -1, 1.5, 0, 1e9, true, [], {}, [1, 'a'], [[]], { a: 1 }, [-1], [1e9]];

/**
 * `text` (JSON) with values replaced by values of another type: each byte mutation picks a slot (the n-th
 * value in document order, from its offset) and the replacement (from the offset's high bits).
 */
function wrongTypes(text: string, mutant: Mutant): Uint8Array<ArrayBuffer> {
  const value: unknown = JSON.parse(text);
  const slots: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      slots.push({ holder: node as Record<string, unknown>, key: Array.isArray(node) ? Number(key) : key });
      walk(child);
    }
  };
  walk(value);
  for (const m of mutant.mutations) {
    const where = 'at' in m ? m.at.offset : m.from.offset;
    const slot = slots[where % slots.length];
    if (slot) (slot.holder as Record<string | number, unknown>)[slot.key] = WRONG[(where >>> 7) % WRONG.length];
  }
  return strToU8(JSON.stringify(value));
}

/**
 * A project whose JSON parts (manifest aside) have one value replaced by a value of another type, the
 * hashes recomputed: the zip and the hashes are sound, only the types are wrong. The byte mutant picks
 * the part, the field (its n-th value in document order) and the replacement.
 */
async function jsonMutant(seed: Seed, mutant: Mutant): Promise<[string, Uint8Array][]> {
  const { 'manifest.json': manifestBytes, ...parts } = unzipSync(seed.files[0][1]);
  // baseline/model.json too: a layer made 10^9 units wide must be refused before its weights are allocated.
  const names = Object.keys(parts)
    .filter((n) => n.endsWith('.json'))
    .sort();
  const name = names[mutant.file % names.length];
  parts[name] = wrongTypes(strFromU8(parts[name]), mutant);
  const manifest = JSON.parse(strFromU8(manifestBytes));
  for (const [path, data] of Object.entries(parts)) manifest.parts[path] = { sha256: await sha256Hex(data), bytes: data.length };
  return [[seed.files[0][0], zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), ...parts })]];
}

/** A TF.js model.json with values of the wrong type (its weights file as it was): the JSON parses, its contents lie. */
async function modelJsonMutant(seed: Seed, mutant: Mutant): Promise<[string, Uint8Array][]> {
  return seed.files.map(([name, bytes]): [string, Uint8Array] => [name, name.endsWith('.json') ? wrongTypes(strFromU8(bytes), mutant) : bytes]);
}

/** tfjs must have a backend before models are built; the CPU one needs no wasm and starts at once. */
export async function prepareBackend(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  await tf.ready();
  void tfl; // layers register their classes on import
}
