import type { SpeedMeasurement } from './measured-speed.js';

/**
 * How the UI, reports and the terminal say a speed-up: the measured median with the middle half of its
 * paired runs, "uncertain" when they spread widely, and the FLOPs-based figure always called an estimate.
 * `times` is "×" in the UI and "x" where plain ASCII reads better (terminal, CSV, Markdown).
 */
export function speedupFigure(ratio: number, times = '×'): string {
  if (!Number.isFinite(ratio)) return '–';
  return `${ratio.toFixed(2)}${times}`;
}

/** "1.49× faster", "0.90× (slower)": a ratio under 1 says plainly that the pruned model is slower. */
export function speedupVerdict(ratio: number, times = '×'): string {
  if (!Number.isFinite(ratio)) return '–';
  return ratio >= 1 ? `${speedupFigure(ratio, times)} faster` : `${speedupFigure(ratio, times)} (slower)`;
}

/** "middle half 1.40–1.55×, 11 paired runs" */
export function speedupSpreadWords(speed: SpeedMeasurement, times = '×', dash = '–'): string {
  const { q1, q3, runs } = speed.speedup;
  return `middle half ${q1.toFixed(2)}${dash}${q3.toFixed(2)}${times}, ${runs} paired runs`;
}

/** "1.49× faster (middle half 1.40–1.55×, 11 paired runs)", with the uncertainty said when there is one. */
export function speedupSentence(speed: SpeedMeasurement, times = '×', dash = '–'): string {
  const words = `${speedupVerdict(speed.speedup.median, times)} (${speedupSpreadWords(speed, times, dash)})`;
  return speed.uncertain ? `${words}; uncertain: the runs spread widely, the machine may have been busy` : words;
}

/** The FLOPs ratio, which latency follows only roughly: always labelled an estimate. */
export function flopsEstimateWords(baselineFlops: number, prunedFlops: number, times = '×'): string {
  return `about ${speedupFigure(baselineFlops / Math.max(1, prunedFlops), times)} faster (estimate from FLOPs)`;
}

const ENGINE_WORDS: Record<string, string> = { onnxruntime: 'ONNX Runtime', wasm: 'WebAssembly' };
/** "ONNX Runtime", "WebAssembly": the engine that timed the models. */
export const timingEngineWords = (engine: string) => ENGINE_WORDS[engine] ?? engine;

/**
 * The estimate beside the measurement: the speed-up the timing engine's measured cost model predicted
 * ("estimate for ONNX Runtime: 1.62×"), or, for results without one, the FLOPs ratio ("estimate from FLOPs: 2.00×").
 */
export function speedEstimateWords(
  result: { speedEstimate?: { speedup: number; engine: string }; baseline: { flops: number }; pruned: { flops: number } },
  times = '×',
): string {
  if (result.speedEstimate) return `estimate for ${timingEngineWords(result.speedEstimate.engine)}: ${speedupFigure(result.speedEstimate.speedup, times)}`;
  return `estimate from FLOPs: ${speedupFigure(result.baseline.flops / Math.max(1, result.pruned.flops), times)}`;
}
