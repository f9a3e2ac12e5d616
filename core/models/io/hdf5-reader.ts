import { takeSnapshot, type Hdf5Request, type Hdf5Snapshot } from './hdf5-snapshot.js';

/**
 * Where HDF5 files are read. The default reads in this thread, which a damaged file can hang for good
 * (the HDF5 library can loop forever); a Node host installs a worker thread it can stop at a deadline
 * (core/node/hdf5-thread.ts). A reader throws ModelFileTooComplexError when it stops a read.
 */
export interface Hdf5Reader {
  snapshot(request: Hdf5Request, file: string): Promise<Hdf5Snapshot>;
}

export const inThreadHdf5Reader: Hdf5Reader = { snapshot: (request) => takeSnapshot(request) };

let current: Hdf5Reader = inThreadHdf5Reader;

export function hdf5Reader(): Hdf5Reader {
  return current;
}

/** Installs a host's reader; none puts back the in-thread one. */
export function setHdf5Reader(reader?: Hdf5Reader): void {
  current = reader ?? inThreadHdf5Reader;
}
