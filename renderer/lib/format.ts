/** Number formats for the result table: short, unit-aware, locale-independent for stable layouts. */
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 2 });

export const formatPercent = (fraction: number, digits = 1) => `${(fraction * 100).toFixed(digits)}%`;
export const formatCount = (value: number) => compact.format(value);
export const formatMs = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`);

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** Relative change, signed: "−50.2%". A true minus sign reads better than a hyphen in tables. */
export function formatChange(before: number, after: number): string {
  if (before === 0) return '–';
  const change = (after - before) / before;
  return `${change > 0 ? '+' : change < 0 ? '−' : '±'}${Math.abs(change * 100).toFixed(1)}%`;
}

/** Accuracy change in percentage points: "−0.8 pp". */
export function formatPointChange(before: number, after: number): string {
  const points = (after - before) * 100;
  return `${points > 0 ? '+' : points < 0 ? '−' : '±'}${Math.abs(points).toFixed(1)} pp`;
}

/** "fine-tuning" → "Fine-tuning". */
export const stageLabel = (stage: string) => stage.charAt(0).toUpperCase() + stage.slice(1);

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
