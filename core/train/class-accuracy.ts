import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset, Normalisation } from '../data/image-dataset.js';
import { evaluate, type EvaluateOptions } from './evaluate.js';

export interface ClassAccuracy {
  top1: number;
  /** Only with more than 5 classes. */
  top5?: number;
  /** Per class, in the data set's class order: its test images and the share predicted right (NaN without images). */
  perClass: { name: string; images: number; accuracy: number }[];
}

/** Top-1, top-5 and per-class accuracy in inference mode, as shares (evaluate counts them). */
export async function classAccuracy(
  model: tfl.LayersModel,
  data: ImageDataset,
  norm: Normalisation,
  options: Pick<EvaluateOptions, 'signal' | 'onProgress' | 'batchSize' | 'forward'> = {},
): Promise<ClassAccuracy> {
  const { top1, top5, perClass } = await evaluate(model, data, norm, options);
  return {
    top1,
    ...(top5 !== undefined && { top5 }),
    perClass: perClass.map(({ name, images, correct }) => ({ name, images, accuracy: images ? correct / images : Number.NaN })),
  };
}
