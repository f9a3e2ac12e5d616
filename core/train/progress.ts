import type { TaskProgress } from '../api/contract.js';

export type ProgressListener = (progress: TaskProgress) => void;

/** Images per second and time left, from the steps done so far; time skipped (paused) does not count. */
export class Throughput {
  private readonly started = performance.now();
  private images = 0;
  private skipped = 0;

  add(images: number): void {
    this.images += images;
  }

  /** Milliseconds that were no work (a pause): left out of the speed and the time left. */
  skip(ms: number): void {
    this.skipped += ms;
  }

  imagesPerSecond(): number {
    const seconds = this.elapsed();
    return seconds > 0 ? this.images / seconds : 0;
  }

  secondsLeft(done: number, total: number): number {
    return done > 0 ? (this.elapsed() / done) * (total - done) : Number.NaN;
  }

  private elapsed(): number {
    return (performance.now() - this.started - this.skipped) / 1000;
  }
}
