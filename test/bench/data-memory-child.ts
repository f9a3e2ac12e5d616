// Runs in a fresh process (node --expose-gc) so resident memory is measured without other work in it:
// loads the data set at argv[2] and prints the memory before and after as JSON.
import { openDataset } from '../../core/data/formats/index.js';
import { openDataSource } from '../../core/node/open-data-source.js';

const gc = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  gc?.();
  const before = process.memoryUsage();
  const started = performance.now();
  const loaded = await openDataset(await openDataSource(process.argv[2]));
  const seconds = (performance.now() - started) / 1000;
  // File buffers are released by finalizers after a GC: collect, let them run, collect again.
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc?.();
  const after = process.memoryUsage();
  const images = Object.values(loaded.splits).reduce((n: number, s) => n + s.count, 0);
  const bytes = Object.values(loaded.splits).reduce((n: number, s) => n + s.images.byteLength, 0);
  console.log(JSON.stringify({ images, imageBytes: bytes, seconds, rssBefore: before.rss, rssAfter: after.rss, gc: Boolean(gc) }));
}

void main();
