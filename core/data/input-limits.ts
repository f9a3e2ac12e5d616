/**
 * Limits on what one input file may make the engine allocate: a small file must not be able to claim
 * gigabytes (a zip bomb, a PNG header saying 60000x60000). The defaults fit every real data set and
 * model Pruneflow reads; a host may raise them from the user's settings (settings.json, `inputLimits`).
 */
export interface InputLimits {
  /** The most bytes one archive (.pruneflow, .keras) may inflate to, all entries read together. */
  maxUnpackedBytes: number;
  /** The most entries one zip archive may list. */
  maxArchiveEntries: number;
  /** The most pixels (width x height) one PNG or JPEG may have. */
  maxImagePixels: number;
  /** The most seconds reading one model file's HDF5 content may take (where the host can stop it). */
  maxParseSeconds: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({
  maxUnpackedBytes: 2 * 2 ** 30,
  maxArchiveEntries: 10_000,
  maxImagePixels: 50_000_000,
  maxParseSeconds: 60,
});

let current: InputLimits = { ...DEFAULT_INPUT_LIMITS };

export function inputLimits(): Readonly<InputLimits> {
  return current;
}

/** Sets the limits given (positive numbers only); the rest keep their defaults. */
export function setInputLimits(limits: Partial<InputLimits>): void {
  const next: InputLimits = { ...DEFAULT_INPUT_LIMITS };
  for (const key of Object.keys(DEFAULT_INPUT_LIMITS) as (keyof InputLimits)[]) {
    const value = limits[key];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) next[key] = Math.floor(value);
  }
  current = next;
}

/** An input that would take more than a limit allows; says which file, what, and which setting raises it. */
export class InputLimitError extends Error {
  override name = 'InputLimitError';
  constructor(
    readonly file: string,
    readonly limit: keyof InputLimits,
    detail: string,
  ) {
    super(
      `${file}: ${detail}, more than the limit of ${current[limit].toLocaleString('en-US')} ` +
        `(raise "inputLimits": { "${limit}": ... } in settings.json if the file is genuine)`,
    );
  }
}
