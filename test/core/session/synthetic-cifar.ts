import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_CLASSES } from '../../../core/data/formats/cifar-common.js';
import { seededRandom } from '../../../core/data/random.js';

/**
 * A CIFAR-10 binary folder of seeded noise images whose mean colour depends on the class, so a model
 * learns something in an epoch. Sized for tests: enough batches that an epoch takes a moment.
 */
export function writeSyntheticCifar(folder: string, train: number, test: number, seed = 1): string {
  mkdirSync(folder, { recursive: true });
  const random = seededRandom(seed);
  const records = (count: number) => {
    const bytes = new Uint8Array(count * 3073);
    for (let r = 0; r < count; r++) {
      const label = r % 10;
      bytes[r * 3073] = label;
      for (let p = 0; p < 3072; p++) {
        const plane = Math.floor(p / 1024);
        const mean = 40 + 20 * label + 30 * plane * ((label % 3) - 1);
        bytes[r * 3073 + 1 + p] = Math.max(0, Math.min(255, Math.round(mean + (random() - 0.5) * 160)));
      }
    }
    return bytes;
  };
  writeFileSync(join(folder, 'data_batch_1.bin'), records(train));
  writeFileSync(join(folder, 'test_batch.bin'), records(test));
  writeFileSync(join(folder, 'batches.meta.txt'), `${CIFAR10_CLASSES.join('\n')}\n`);
  return folder;
}
