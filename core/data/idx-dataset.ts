import { DatasetFormatError } from './dataset-errors.js';
import type { ImageDataset } from './image-dataset.js';
import { parseIdx } from './idx-format.js';

export interface IdxFile {
  name: string;
  bytes: Uint8Array;
}

/** Pairs an IDX image file (N x H x W, grey) with its label file (N). */
export function openIdxDataset(images: IdxFile, labels: IdxFile, name: string, classNames: string[]): ImageDataset {
  const imageArray = parseIdx(images.bytes, images.name);
  const labelArray = parseIdx(labels.bytes, labels.name);
  if (imageArray.dims.length !== 3) {
    throw new DatasetFormatError(images.name, `expected N x height x width images, found ${imageArray.dims.join('x')}`);
  }
  if (labelArray.dims.length !== 1) {
    throw new DatasetFormatError(labels.name, `expected a vector of labels, found ${labelArray.dims.join('x')}`);
  }
  const [count, height, width] = imageArray.dims;
  if (labelArray.dims[0] !== count) {
    throw new DatasetFormatError(labels.name, `${labelArray.dims[0]} labels for ${count} images in ${images.name}`);
  }
  const bad = labelArray.data.findIndex((label) => label >= classNames.length);
  if (bad >= 0) {
    throw new DatasetFormatError(labels.name, `label ${labelArray.data[bad]} of record ${bad} is out of range 0..${classNames.length - 1}`);
  }
  return { name, images: imageArray.data, labels: labelArray.data, count, height, width, channels: 1, classNames };
}
