/** How reports write numbers: the same words in HTML, Markdown and the terminal. */
export const percent = (x: number | undefined, digits = 2) => (x === undefined ? '-' : `${(x * 100).toFixed(digits)}%`);
export const points = (x: number | undefined) => (x === undefined ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} pt`);
export const change = (x: number | undefined) => (x === undefined ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
export const megaFlops = (x: number | undefined) => (x === undefined ? '-' : `${(x / 1e6).toFixed(3)}M`);
export const kiloParams = (x: number | undefined) => (x === undefined ? '-' : `${(x / 1e3).toFixed(1)}k`);
export const milliseconds = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(1)} ms`);
export const speedup = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(2)}x`);
export const seconds = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(1)} s`);
export const target = (t: { metric: 'flops' | 'params'; reduction: number }) =>
  `-${Math.round(t.reduction * 100)}% ${t.metric === 'flops' ? 'FLOPs' : 'params'}`;
