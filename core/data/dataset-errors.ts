/** A data file that is not what it claims to be; says which file and where. */
export class DatasetFormatError extends Error {
  override name = 'DatasetFormatError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}
