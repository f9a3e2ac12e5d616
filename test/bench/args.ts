/** The value of `--name v` or `--name=v` among a benchmark's arguments; undefined without the flag, '' without a value. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  const at = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (at < 0) return undefined;
  return (args[at].includes('=') ? args[at].slice(name.length + 1) : args[at + 1]) ?? '';
}
