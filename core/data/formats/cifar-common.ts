import { baseName, DatasetNotFoundError, type FileEntry, type FileTree } from '../file-tree.js';
import type { ImageDataset } from '../image-dataset.js';
import type { LoadedDataset, OpenOptions } from './dataset-format.js';

/** What the CIFAR binary and Python versions share: class names, the pixel layout, assembling splits. */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export const CIFAR100_FINE_CLASSES = `apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus
  butterfly camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur
  dolphin elephant flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster
  man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree
  plain plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk skyscraper snail snake
  spider squirrel streetcar sunflower sweet_pepper table tank telephone television tiger tractor train trout tulip turtle
  wardrobe whale willow_tree wolf woman worm`.split(/\s+/);

export const CIFAR100_COARSE_CLASSES = `aquatic_mammals fish flowers food_containers fruit_and_vegetables
  household_electrical_devices household_furniture insects large_carnivores large_man-made_outdoor_things
  large_natural_outdoor_scenes large_omnivores_and_herbivores medium_mammals non-insect_invertebrates people reptiles
  small_mammals trees vehicles_1 vehicles_2`.split(/\s+/);

export const IMAGE_BYTES = 3072;
const PLANE = 1024;

/** A CIFAR-100 split keeps its 20 superclass labels beside the 100 fine labels it trains on. */
export interface CifarSplit extends ImageDataset {
  coarseLabels?: Uint8Array;
  coarseClassNames?: string[];
}

/** One file's images, still planar (1024 R, 1024 G, 1024 B), `stride` bytes apart from `offset`. */
export interface CifarPart {
  pixels: Uint8Array;
  offset: number;
  stride: number;
  count: number;
  labels: Uint8Array;
  coarseLabels?: Uint8Array;
}

/** Class names a meta file gave, or undefined where the file is missing (then the official ones are used). */
export interface CifarNames {
  fine?: string[];
  coarse?: string[];
  warnings: string[];
}

/** One published variant: which file holds which split, and how to read a file and the names. */
export interface CifarLayout {
  id: string;
  title: string;
  /** 'train' or 'test' for a data file of this variant. */
  splitOf(name: string): string | undefined;
  fine: string[];
  coarse?: string[];
  readPart(bytes: Uint8Array, file: string): CifarPart;
  readNames(find: (name: string) => FileEntry | undefined, tree: FileTree): Promise<CifarNames>;
}

export async function openCifar(tree: FileTree, layout: CifarLayout, options: OpenOptions = {}): Promise<LoadedDataset> {
  const warnings: string[] = [];
  const byName = new Map<string, FileEntry>();
  for (const entry of [...(await tree.list())].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const name = baseName(entry.path);
    const first = byName.get(name);
    if (!first) byName.set(name, entry);
    else if (layout.splitOf(name)) warnings.push(`ignored ${entry.path}: ${first.path} was read instead`);
  }
  const dataFiles = [...byName.values()].filter((f) => layout.splitOf(baseName(f.path)));
  if (dataFiles.length === 0) throw new DatasetNotFoundError(`${tree.label}: no ${layout.title} data files`);
  const total = dataFiles.reduce((sum, f) => sum + f.size, 0) || 1;
  const parts = new Map<string, CifarPart[]>();
  let done = 0;
  for (const entry of dataFiles) {
    options.signal?.throwIfAborted();
    options.onProgress?.(done / total, `Reading ${entry.path}`);
    const split = layout.splitOf(baseName(entry.path)) as string;
    parts.set(split, [...(parts.get(split) ?? []), layout.readPart(await tree.read(entry.path), entry.path)]);
    done += entry.size;
  }
  const names = await layout.readNames((name) => byName.get(name), tree);
  const classNames = names.fine ?? layout.fine;
  const coarseNames = layout.coarse && (names.coarse ?? layout.coarse);
  const splits: Record<string, CifarSplit> = {};
  for (const [split, list] of parts) splits[split] = assemble(list, `${layout.title} ${split}`, classNames, coarseNames);
  options.onProgress?.(1, `Read ${layout.title}`);
  return { format: layout.id, splits, classNames, warnings: [...warnings, ...names.warnings] };
}

function assemble(parts: CifarPart[], name: string, classNames: string[], coarseNames?: string[]): CifarSplit {
  const count = parts.reduce((sum, p) => sum + p.count, 0);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  const coarseLabels = coarseNames ? new Uint8Array(count) : undefined;
  let at = 0;
  for (const part of parts) {
    planarToHwc(part, images, at);
    labels.set(part.labels, at);
    if (coarseLabels && part.coarseLabels) coarseLabels.set(part.coarseLabels, at);
    at += part.count;
  }
  const split: CifarSplit = { name, images, labels, count, height: 32, width: 32, channels: 3, classNames };
  return coarseLabels ? { ...split, coarseLabels, coarseClassNames: coarseNames } : split;
}

/** CHW planes to HWC pixels, writing image i of the part as image `at + i` of `target`. */
export function planarToHwc(part: CifarPart, target: Uint8Array, at: number): void {
  const { pixels, offset, stride, count } = part;
  for (let n = 0; n < count; n++) {
    const red = offset + n * stride;
    let to = (at + n) * IMAGE_BYTES;
    for (let p = red; p < red + PLANE; p++, to += 3) {
      target[to] = pixels[p];
      target[to + 1] = pixels[p + PLANE];
      target[to + 2] = pixels[p + 2 * PLANE];
    }
  }
}

/** Names from a meta file, or a warning and undefined (the official names) when they do not fit. */
export function checkNames(names: string[] | undefined, expected: string[], file: string, warnings: string[]): string[] | undefined {
  if (names === undefined) {
    warnings.push(`no ${file}: using the official class names`);
    return undefined;
  }
  if (names.length === expected.length) return names;
  warnings.push(`${file} has ${names.length} class names, expected ${expected.length}: using the official names`);
  return undefined;
}
