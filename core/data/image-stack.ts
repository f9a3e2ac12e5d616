import type { DecodedImage } from './image-decode.js';
import { resizeImage } from './image-resize.js';

const FALLBACK_SIZE = { height: 32, width: 32 };

interface Kept {
  data: Uint8Array;
  channels: 1 | 3;
}

/**
 * Gathers decoded images at one size: the size asked for, else that of the first image. If a later
 * image differs, everything goes to 32x32 instead; the images kept so far are still at their own
 * size then, so resizing them is exact. Grey images stay 1 channel until `take` knows whether any
 * image had colour.
 */
export class ImageStack {
  private readonly kept: Kept[] = [];
  private size?: { height: number; width: number };
  private first?: string;
  private colour = false;
  mixedSizes?: string;

  constructor(private readonly requested?: { height: number; width: number }) {
    this.size = requested;
  }

  add(image: DecodedImage, path: string): void {
    this.size ??= { height: image.height, width: image.width };
    this.first ??= `${path} is ${image.width}x${image.height}`;
    if (!this.requested && !this.mixedSizes && (image.height !== this.size.height || image.width !== this.size.width)) {
      this.mixedSizes = `mixed sizes (${this.first}, ${path} is ${image.width}x${image.height}): all images resized to 32x32`;
      for (const kept of this.kept) kept.data = resizeImage(kept.data, this.size.height, this.size.width, kept.channels, 32, 32);
      this.size = FALLBACK_SIZE;
    }
    const { height, width } = this.size;
    this.kept.push({ data: resizeImage(image.data, image.height, image.width, image.channels, height, width), channels: image.channels });
    this.colour ||= image.channels === 3;
  }

  get count(): number {
    return this.kept.length;
  }

  /** The images from `start` to `end` as one N x H x W x C array, 3 channels if any image had colour. */
  take(start: number, end: number): { images: Uint8Array; height: number; width: number; channels: 1 | 3 } {
    const { height, width } = this.size ?? FALLBACK_SIZE;
    const channels = this.colour ? 3 : 1;
    const pixels = height * width;
    const images = new Uint8Array((end - start) * pixels * channels);
    for (let n = start; n < end; n++) {
      const { data, channels: own } = this.kept[n];
      const base = (n - start) * pixels * channels;
      if (own === channels) images.set(data, base);
      else for (let p = 0, to = base; p < pixels; p++, to += 3) images[to] = images[to + 1] = images[to + 2] = data[p];
      this.kept[n].data = new Uint8Array(0); // free as we go
    }
    return { images, height, width, channels };
  }
}
