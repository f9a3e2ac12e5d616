import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig, RUN_OPTION_KEYS, runOption, type RunOptionKey } from '../api/run-options.js';

/**
 * The command-line flags of the run options that are one plain value, made from their entries in
 * core/api/run-options.ts: the flag, its help with its default, and a parser that checks the value with
 * the option's own schema. Composite options (the target, distillation, export...) get their flags in cli.ts.
 */

/** The run options that have a flag of their own, in the order of `--help`. */
export const FLAGGED_OPTIONS: readonly RunOptionKey[] = RUN_OPTION_KEYS.filter((key) => runOption(key).info.flag);

/** A flag's text as the user types it: the schema's check first on the word, then on a number, a list of numbers, a list of words. */
export function runOptionParser(key: RunOptionKey): (value: string) => unknown {
  const { schema, info } = runOption(key);
  return (value) => {
    const readings = [value, Number(value), value.split(',').map(Number), value.split(',')];
    for (const reading of readings) {
      const parsed = schema.safeParse(reading);
      if (parsed.success) return parsed.data;
    }
    throw new InvalidArgumentError(`must be ${info.expects}`);
  };
}

/** "(default 64)": what the engine uses when the flag is absent. */
function defaultText(key: RunOptionKey): string {
  const value = (DEFAULT_PRUNE_CONFIG as Record<string, unknown>)[key] ?? runOption(key).info.fallback;
  if (value === undefined) return '';
  return ` (default ${Array.isArray(value) ? value.join(',') : String(value)})`;
}

/** The commander attribute a run option's flag lands in (`--batch-size` -> batchSize, `--lr` -> lr). */
function attributeOf(key: RunOptionKey): string {
  return new Option(runOption(key).info.flag as string).attributeName();
}

/** Adds the flags of `keys` to a command; `more` adds words to an option's help (the criteria's ids). */
export function addRunFlags(command: Command, keys: readonly RunOptionKey[] = FLAGGED_OPTIONS, more: Partial<Record<RunOptionKey, string>> = {}): Command {
  for (const key of keys) {
    const { flag, help } = runOption(key).info;
    command.option(flag as string, `${help}${more[key] ?? ''}${defaultText(key)}`, runOptionParser(key));
  }
  return command;
}

/** The run options given as flags, by their config names; absent flags are left out so a config file's values stay. */
export function runOptionsFromFlags(flags: Record<string, unknown>): Partial<PruneConfig> {
  const options: Record<string, unknown> = {};
  for (const key of FLAGGED_OPTIONS) {
    const value = flags[attributeOf(key)];
    if (value !== undefined) options[key] = value;
  }
  return options as Partial<PruneConfig>;
}
