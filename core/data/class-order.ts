import type { ImageDataset } from './image-dataset.js';

/**
 * A model file that names its classes (Teachable Machine's metadata, a Pruneflow export) and a data set that names its
 * own (class folders, CIFAR's batches.meta) may list the same classes in another order: the data's labels are then
 * renumbered into the model's order, so every accuracy compares like with like. Names that do not match are reported,
 * never guessed at.
 */
export type ClassOrder =
  | { kind: 'same' }
  /** toModel[dataClass] is the model's output index of that class. */
  | { kind: 'mapped'; toModel: number[]; message: string }
  | { kind: 'unmatched'; message: string };

/** Case, spaces, dashes and underscores do not tell classes apart ("Golden_Retriever" is "golden retriever"). */
const key = (name: string) =>
  name
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');

/** Names that only count (0..n-1, or the same shifted by one) say nothing about which class is which. */
const onlyNumbers = (names: readonly string[]) => names.every((n) => /^\d+$/.test(n.trim()));

const list = (names: readonly string[]) => (names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, … (${names.length})`);

export function matchClassOrder(modelLabels: readonly string[], dataClasses: readonly string[]): ClassOrder {
  if (modelLabels.length !== dataClasses.length || onlyNumbers(dataClasses) || onlyNumbers(modelLabels)) return { kind: 'same' };
  const modelKeys = modelLabels.map(key);
  const dataKeys = dataClasses.map(key);
  if (modelKeys.every((k, i) => k === dataKeys[i])) return { kind: 'same' };
  const unique = new Set(modelKeys).size === modelKeys.length && new Set(dataKeys).size === dataKeys.length;
  const toModel = dataKeys.map((k) => modelKeys.indexOf(k));
  if (unique && toModel.every((i) => i >= 0)) {
    const moved = dataClasses.filter((_, i) => toModel[i] !== i);
    return {
      kind: 'mapped',
      toModel,
      message: `classes matched to the model's labels by name (${moved.length} of ${dataClasses.length} in another order: ${list(moved)})`,
    };
  }
  return {
    kind: 'unmatched',
    message:
      `the model names its classes ${list(modelLabels)}; the data set's are ` + `${list(dataClasses)}: they are compared by position (class 1 with class 1, …)`,
  };
}

/** The data set with its labels renumbered into the model's order; its class names follow (the data's own names). */
export function relabel(dataset: ImageDataset, toModel: readonly number[]): ImageDataset {
  const labels = dataset.labels.map((label) => toModel[label]);
  const classNames = [...dataset.classNames];
  dataset.classNames.forEach((name, i) => (classNames[toModel[i]] = name));
  return { ...dataset, labels, classNames };
}
