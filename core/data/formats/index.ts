/**
 * Every data-set format Pruneflow reads, registered in the order detection tries them: specific file
 * layouts first, the generic folder of images last.
 */
import { cifar100Binary, cifar10Binary } from './cifar-binary.js';
import { cifar100Python, cifar10Python } from './cifar-python.js';
import { idxFiles } from './idx-files.js';
import { imageFolder } from './image-folder.js';
import { registerDatasetFormat } from './registry.js';
import { svhnMat } from './svhn-mat.js';

for (const format of [cifar10Binary, cifar100Binary, cifar10Python, cifar100Python, svhnMat, idxFiles, imageFolder]) {
  registerDatasetFormat(format);
}

export { detectDatasetFormat, DatasetNotRecognisedError, listDatasetFormats, openDataset } from './registry.js';
export type { DatasetFormat, LoadedDataset, OpenOptions } from './dataset-format.js';
