import type { FileTree } from '../file-tree.js';
import { decodeImage } from '../image-decode.js';
import type { ClassFolder } from '../image-folder-layout.js';
import type { ImageDataset } from '../image-dataset.js';
import type { ImageDecoder } from './decode-record.js';
import { streamImages } from './image-stream.js';
import { BUDGET_MARGIN, cacheBudget, type ResidentMemory } from './memory-budget.js';

/** Images decoded to learn the colour of a streamed folder: the first of each class, round the classes. */
const COLOUR_PROBES = 16;
const GiB = 2 ** 30;

/**
 * An image folder's splits as streamed data sets when its decoded images would not fit in what `budget` bytes leave
 * them: the whole budget, or, with a `residentMemory` reading, the budget less what the process holds as the folder
 * opens and a margin (memory-budget.ts); undefined when they fit (then they are read into memory as before). Records are numbered as the in-memory
 * reader numbers them (splits, then classes by name, then files in order), so the same seed draws the same
 * batches. Their size is `imageSize`, else the first image's; every image is resized to it as it is read.
 * They have colour if any of the first image of each class has (up to 16 images looked at).
 */
export async function streamedFolder(
  tree: FileTree,
  splits: Map<string, Map<string, ClassFolder>>,
  classNames: readonly string[],
  { budget, decoder, residentMemory }: { budget: number; decoder: ImageDecoder; residentMemory?: ResidentMemory },
  imageSize?: { height: number; width: number },
): Promise<{ splits: Record<string, ImageDataset>; note: string } | undefined> {
  const paths: string[] = [];
  const ranges: { split: string; start: number; labels: Uint8Array }[] = [];
  const byName = <T>(entries: Iterable<[string, T]>) => [...entries].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [split, classes] of byName(splits)) {
    const start = paths.length;
    const labels: number[] = [];
    for (const [name, folder] of byName(classes)) {
      const label = classNames.indexOf(name);
      for (const path of folder.images) {
        paths.push(path);
        labels.push(label);
      }
    }
    ranges.push({ split, start, labels: Uint8Array.from(labels) });
  }
  // The first image read sets the size, as in memory (core/data/image-stack.ts).
  const first = decodeImage(await tree.read(paths[0]), paths[0]);
  const { height, width } = imageSize ?? first;
  let channels = first.channels;
  for (const path of colourProbes(splits)) {
    if (channels === 3) break;
    channels = decodeImage(await tree.read(path), path).channels;
  }
  const bytes = paths.length * height * width * channels;
  const room = cacheBudget(budget, residentMemory, `the images of ${tree.label}`);
  if (bytes <= room.bytes) return undefined;
  const stream = streamImages(tree, paths, { height, width, channels }, decoder, room.bytes);
  const datasets: Record<string, ImageDataset> = {};
  for (const { split, start, labels } of ranges) {
    datasets[split] = {
      name: split,
      images: new Uint8Array(0),
      labels,
      count: labels.length,
      height,
      width,
      channels,
      classNames: [...classNames],
      stream: stream.subset(Int32Array.from(labels, (_, i) => start + i)),
    };
  }
  const share =
    room.resident === undefined
      ? `the data memory budget of ${bytesText(budget)}`
      : `the ${bytesText(room.bytes)} that the data memory budget of ${bytesText(budget)} leaves for images (the process held ` +
        `${bytesText(room.resident)} as the folder opened; ${bytesText(BUDGET_MARGIN)} kept for decoding and batches)`;
  const note =
    `streamed from disk: ${paths.length} images would take ${bytesText(bytes)} decoded, more than ${share}; each is decoded ` +
    `at ${width}x${height} when needed, on ${decoder.threads} thread${decoder.threads === 1 ? '' : 's'}, cached up to ${bytesText(room.bytes)}`;
  return { splits: datasets, note };
}

const bytesText = (bytes: number) => (bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`);

function colourProbes(splits: Map<string, Map<string, ClassFolder>>): string[] {
  const folders = [...splits.values()].flatMap((classes) => [...classes.values()]).filter((f) => f.images.length > 0);
  const probes: string[] = [];
  for (let k = 0; probes.length < COLOUR_PROBES && folders.some((f) => f.images.length > k); k++) {
    for (const folder of folders) if (folder.images.length > k && probes.length < COLOUR_PROBES) probes.push(folder.images[k]);
  }
  return probes;
}
