import type { ImageKind } from './formats/dataset-format.js';

/** Augmentation applied while a uint8 batch becomes float: no extra copies, no extra passes. */
export interface Augmentation {
  /** Random translation by up to `cropPadding` pixels with zero padding (the CIFAR recipe: 4). */
  cropPadding: number;
  horizontalFlip: boolean;
}

export const NO_AUGMENTATION: Augmentation = { cropPadding: 0, horizontalFlip: false };

/** Natural images get the standard CIFAR recipe; digits and glyphs none (a flipped 2 is no 2). */
export function defaultAugmentation(kind: ImageKind): Augmentation {
  return kind === 'natural' ? { cropPadding: 4, horizontalFlip: true } : NO_AUGMENTATION;
}

/** One image's random draw: the shift of the crop window and whether to mirror it. */
export interface AugmentDraw {
  dy: number;
  dx: number;
  flip: boolean;
}

export function drawAugmentation(augmentation: Augmentation, random: () => number): AugmentDraw {
  const shift = () => Math.floor(random() * (2 * augmentation.cropPadding + 1)) - augmentation.cropPadding;
  return {
    dy: augmentation.cropPadding ? shift() : 0,
    dx: augmentation.cropPadding ? shift() : 0,
    flip: augmentation.horizontalFlip && random() < 0.5,
  };
}
