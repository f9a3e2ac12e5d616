/**
 * The input gradient of a strided conv2d without zero insertion. With stride s, the input pixels split into
 * s*s phases (i mod s, j mod s); each phase receives only the filter taps k with k = (phase + padBefore)
 * mod s, s apart. Every phase is a small stride-1 correlation of dy, so all phases run as ONE XNNPACK conv
 * of dy with a combined filter [J, J, Cout, s*s*Cin] (each phase's flipped sub-filter, zero-extended to a
 * common size and offset), and one transpose interleaves the phases into dx. For a 3x3 stride-2 conv this is
 * 16 taps per 4 pixels instead of the 36 that the zero-inserted dy costs.
 */
import { backend_util, type KernelBackend, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dPadded, free, reshape, run, transpose, type WasmHeapBackend } from './kernel-utils.js';

interface Phases {
  /** For each phase and each tap of the combined filter: the forward filter tap it reads, or -1. */
  taps: number[][];
  /** Leading padding of dy shared by all phases. */
  pad: number;
}

/** The sub-filters of the `s` phases along one axis of a filter of size `k` with leading padding `padBefore`. */
function phases(k: number, s: number, padBefore: number): Phases {
  const per = Array.from({ length: s }, (_, a) => {
    const r = (((a + padBefore) % s) + s) % s;
    const base = Math.floor((a + padBefore) / s);
    const count = Math.max(0, Math.ceil((k - r) / s));
    return { r, count, lead: count - 1 - base };
  });
  const live = per.filter((p) => p.count > 0);
  const pad = Math.max(...live.map((p) => p.lead));
  const size = Math.max(...live.map((p) => p.count + pad - p.lead));
  const taps = per.map((p) =>
    Array.from({ length: size }, (_, t) => {
      const j = t - (pad - p.lead);
      return p.count > 0 && j >= 0 && j < p.count ? p.r + s * (p.count - 1 - j) : -1;
    }),
  );
  return { taps, pad };
}

/** dx (NHWC) of a conv2d with equal strides > 1 and no dilation, or null when that does not apply. */
export function stridedBackpropInput(backend: KernelBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const { strideHeight: s, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  if (s !== sw || s < 2 || dh !== 1 || dw !== 1) return null;
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, inHeight: h, inWidth: w } = info;
  const rows = phases(kh, s, info.padInfo.top);
  const cols = phases(kw, s, info.padInfo.left);
  const jh = rows.taps[0]!.length;
  const jw = cols.taps[0]!.length;
  const heap = backend as WasmHeapBackend;
  const wv = heap.typedArrayFromHeap(filter) as Float32Array;
  const combined = new Float32Array(jh * jw * co * s * s * ci);
  for (let th = 0; th < jh; th++)
    for (let tw = 0; tw < jw; tw++)
      for (let a = 0; a < s; a++)
        for (let b = 0; b < s; b++) {
          const fr = rows.taps[a]![th]!;
          const fc = cols.taps[b]![tw]!;
          if (fr < 0 || fc < 0) continue;
          for (let o = 0; o < co; o++) {
            const dst = ((th * jw + tw) * co + o) * s * s * ci + (a * s + b) * ci;
            for (let i = 0; i < ci; i++) combined[dst + i] = wv[((fr * kw + fc) * ci + i) * co + o]!;
          }
        }
  const f = heap.makeOutput([jh, jw, co, s * s * ci], 'float32', undefined, combined);
  const hq = Math.ceil(h / s);
  const wq = Math.ceil(w / s);
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const pads = { top: rows.pad, left: cols.pad, bottom: hq - 1 + jh - rows.pad - oh, right: wq - 1 + jw - cols.pad - ow };
  const stacked = conv2dPadded(backend, dy, f, [1, 1], [1, 1], pads);
  // Interleave the phases: [N*Hq, Wq, (a, b, Cin)] -> [N*Hq, a, Wq, (b, Cin)], which is [N, Hq*s, Wq*s, Cin]
  // (a transpose with contiguous rows; the wasm DepthToSpace kernel is a slow generic loop).
  const rowsView = reshape(backend, stacked, [info.batchSize * hq, wq, s, s * ci]);
  const moved = transpose(backend, rowsView, [0, 2, 1, 3]);
  const spread = reshape(backend, moved, [info.batchSize, hq * s, wq * s, ci]);
  free(backend, f, stacked, rowsView, moved);
  if (hq * s === h && wq * s === w) return spread;
  const dx = run('Slice', backend, { x: spread }, { begin: [0, 0, 0, 0], size: [info.batchSize, h, w, ci] });
  free(backend, spread);
  return dx;
}
