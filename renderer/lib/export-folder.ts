/**
 * Session `n`'s export folder beside the first one's: ("/models/pruned", 2) → "/models/pruned-2", so a
 * second session never writes into the first one's folder. The wizard keeps the first folder and counts.
 */
export function numberedExportFolder(first: string, n: number): string {
  const trimmed = first.trim().replace(/[\\/]+$/, '');
  return trimmed && n > 1 ? `${trimmed}-${n}` : trimmed;
}
