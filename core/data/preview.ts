import type { LoadedDataset } from './formats/dataset-format.js';
import type { ImageDataset } from './image-dataset.js';
import type { DatasetPreview, SplitPreview, Thumbnail } from '../api/reports.js';

/** The wire types are defined in core/api (reports.ts). */
export type { DatasetPreview, SplitPreview, Thumbnail };

/** Share of a data set without its own test split that sessions hold out for testing. */
export const HELD_OUT_PERCENT = 20;

/** What the UI and `pruneflow data info` show about a data set before anyone trains on it. */
export function previewDataset(loaded: LoadedDataset, samplesPerClass = 4): DatasetPreview {
  const splits = Object.entries(loaded.splits).sort(([a], [b]) => splitRank(a) - splitRank(b));
  const [, first] = splits[0];
  const perSplit = splits.map(([name, set]) => ({ name, count: set.count, perClass: classCounts(set, loaded.classNames.length) }));
  return {
    format: loaded.format,
    classNames: loaded.classNames,
    height: first.height,
    width: first.width,
    channels: first.channels,
    splits: perSplit,
    samples: sampleThumbnails(first, loaded.classNames.length, samplesPerClass),
    warnings: [
      ...loaded.warnings,
      ...(loaded.splits.test ? [] : [`no test split: training holds out ${HELD_OUT_PERCENT}% of the images (stratified, seeded) for testing`]),
      ...imbalanceWarnings(perSplit, loaded.classNames),
      ...duplicateWarnings(splits),
    ],
  };
}

/** Splits in the order people expect to read them. */
function splitRank(name: string): number {
  const order = ['train', 'val', 'validation', 'test', 'extra', 'all'];
  return order.includes(name) ? order.indexOf(name) : order.length;
}

function classCounts(set: ImageDataset, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of set.labels) counts[label]++;
  return counts;
}

function sampleThumbnails(set: ImageDataset, classes: number, perClass: number): Thumbnail[] {
  const taken = new Array<number>(classes).fill(0);
  const samples: Thumbnail[] = [];
  const size = set.height * set.width;
  for (let index = 0; index < set.count && samples.length < classes * perClass; index++) {
    const label = set.labels[index];
    if (taken[label] >= perClass) continue;
    taken[label]++;
    const rgba = new Uint8Array(size * 4);
    const base = index * size * set.channels;
    for (let p = 0; p < size; p++) {
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = set.images[base + p * set.channels + (set.channels === 1 ? 0 : c)];
      rgba[p * 4 + 3] = 255;
    }
    samples.push({ width: set.width, height: set.height, rgba, label, index });
  }
  return samples;
}

/** Flags classes with less than half the images of the largest, and classes with none. */
function imbalanceWarnings(splits: SplitPreview[], classNames: string[]): string[] {
  const warnings: string[] = [];
  for (const split of splits) {
    const most = Math.max(...split.perClass);
    const empty = split.perClass.flatMap((n, c) => (n === 0 ? [classNames[c]] : []));
    if (empty.length) warnings.push(`${split.name}: no images of ${empty.join(', ')}`);
    const scarce = split.perClass.flatMap((n, c) => (n > 0 && n < most / 2 ? [`${classNames[c]} (${n})`] : []));
    if (scarce.length) warnings.push(`${split.name}: class imbalance: ${scarce.join(', ')} against ${most} for the largest class`);
  }
  return warnings;
}

/** Identical images within or across splits (a test image also in training inflates accuracy). */
function duplicateWarnings(splits: [string, ImageDataset][]): string[] {
  const seen = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const [name, set] of splits) {
    const size = set.height * set.width * set.channels;
    for (let i = 0; i < set.count; i++) {
      const key = fingerprint(set.images.subarray(i * size, (i + 1) * size));
      const first = seen.get(key);
      if (first === undefined) seen.set(key, name);
      else {
        const pair = first === name ? `within ${name}` : `between ${first} and ${name}`;
        counts.set(pair, (counts.get(pair) ?? 0) + 1);
      }
    }
  }
  return [...counts].map(([pair, n]) => `${n} duplicate image${n === 1 ? '' : 's'} ${pair}`);
}

/** Two 32-bit FNV-1a hashes with different seeds: collisions among 10^5 images are negligible. */
function fingerprint(bytes: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i], 0x01000193);
    b = Math.imul(b ^ bytes[i], 0x5bd1e995);
  }
  return `${(a >>> 0).toString(36)}-${(b >>> 0).toString(36)}`;
}
