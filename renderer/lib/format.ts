/** Number formats for the result table: short, unit-aware, locale-independent for stable layouts. */
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 2 });

export const formatPercent = (fraction: number, digits = 1) => `${(fraction * 100).toFixed(digits)}%`;
export const formatCount = (value: number) => compact.format(value);
export const formatMs = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`);

/**
 * "45 s", "1 min 0 s", "1 h 5 min". Rounds the whole duration once, then splits it, so 59.6 s reads
 * "1 min 0 s" and 119.6 s "2 min 0 s" (rounding the seconds apart from the minutes gave "1 min 60 s").
 */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
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
