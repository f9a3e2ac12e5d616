import type { TaskProgress } from '../api/contract.js';

export type ProgressListener = (progress: TaskProgress) => void;

/** Images per second and time left, from the steps done so far. */
export class Throughput {
  private readonly started = performance.now();
  private images = 0;

  add(images: number): void {
    this.images += images;
  }

  imagesPerSecond(): number {
    const seconds = (performance.now() - this.started) / 1000;
    return seconds > 0 ? this.images / seconds : 0;
  }

  secondsLeft(done: number, total: number): number {
    const elapsed = (performance.now() - this.started) / 1000;
    return done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
  }
}
